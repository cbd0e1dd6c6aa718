-- What turned out bad can be pulled back, publishers see where their submissions stand, and moderation is on
-- a public record (docs/architecture.md, "Pulling back and the public record").

-- Versions: withdrawn by their publisher before review; yanked (publisher or admin) or revoked (admin) after
-- approval, which takes them out of installs and updates; the findings of the checks at submit; the workspace
-- that submitted them.
ALTER TABLE item_versions DROP CONSTRAINT item_versions_status_check;
ALTER TABLE item_versions ADD CONSTRAINT item_versions_status_check
    CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn'));
ALTER TABLE item_versions
    ADD COLUMN workspace_id    uuid REFERENCES workspaces (id) ON DELETE SET NULL,
    ADD COLUMN findings        jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(findings) = 'array'),
    ADD COLUMN withdrawn_at    timestamptz,
    ADD COLUMN yanked_at       timestamptz,
    ADD COLUMN yank_reason     text CHECK (length(yank_reason) BETWEEN 1 AND 2000),
    ADD COLUMN revoked_at      timestamptz,
    ADD COLUMN revoke_reason   text CHECK (length(revoke_reason) BETWEEN 1 AND 2000),
    ADD COLUMN revoke_severity text CHECK (revoke_severity IN ('low', 'medium', 'high', 'critical')),
    ADD CONSTRAINT item_versions_withdrawn_check CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL)),
    ADD CONSTRAINT item_versions_yanked_check
        CHECK ((yanked_at IS NULL) = (yank_reason IS NULL) AND (yanked_at IS NULL OR status = 'approved')),
    ADD CONSTRAINT item_versions_revoked_check
        CHECK ((revoked_at IS NULL) = (revoke_reason IS NULL) AND (revoked_at IS NULL) = (revoke_severity IS NULL)
               AND (revoked_at IS NULL OR status = 'approved'));

-- The submitting workspace of versions submitted before: the workspace of the item the listing came from.
DO $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT tbl FROM marketplace_kinds_in_lock_order() LOOP
        EXECUTE format(
            'UPDATE item_versions v SET workspace_id = s.workspace_id
             FROM %1$I l JOIN %1$I s ON s.id = l.cloned_from_id
             WHERE l.id = v.item_id AND v.workspace_id IS NULL AND s.workspace_id IS NOT NULL', t);
    END LOOP;
END
$$;

-- A workspace's submissions, newest first; the few revoked versions, which advisories start from.
CREATE INDEX item_versions_workspace_idx ON item_versions (workspace_id, submitted_at DESC, id DESC)
    WHERE workspace_id IS NOT NULL;
CREATE INDEX item_versions_revoked_idx ON item_versions (item_id, version) WHERE revoked_at IS NOT NULL;

-- Items: a copy of a version revoked as critical is marked, so the platform running it can stop it; a listing's
-- name skeleton (Unicode confusables folded, UTS #39) for the lookalike check, written by the service when a
-- listing is submitted and, for listings written otherwise (these, bulk loads), by the migrate function and
-- the local API after migrating.
DO $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT tbl FROM marketplace_kinds_in_lock_order() LOOP
        EXECUTE format(
            'ALTER TABLE %1$I ADD COLUMN marketplace_revoked_at timestamptz, ADD COLUMN name_skeleton text;
             CREATE INDEX %1$s_name_skeleton_idx ON %1$I (name_skeleton)
                 WHERE owner_type = ''marketplace'' AND delisted_at IS NULL AND name_skeleton IS NOT NULL;
             CREATE INDEX %1$s_name_skeleton_missing_idx ON %1$I (id)
                 WHERE owner_type = ''marketplace'' AND name_skeleton IS NULL', t);
    END LOOP;
END
$$;

-- Yanks and revocations are moderation actions too. For a yank, admin_id is whoever yanked: an admin, or a
-- writer of the publishing workspace. A rejection's reason is public only when the admin says so.
ALTER TABLE admin_actions DROP CONSTRAINT admin_actions_action_check;
ALTER TABLE admin_actions ADD CONSTRAINT admin_actions_action_check
    CHECK (action IN ('approve', 'reject', 'feature', 'unfeature', 'delist', 'hide_review', 'unhide_review',
                      'official', 'unofficial', 'grant_admin', 'revoke_admin', 'revoke', 'yank', 'unyank'));
ALTER TABLE admin_actions
    ADD COLUMN severity      text CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    ADD COLUMN reason_public boolean NOT NULL DEFAULT false;

-- The public record: one entry per moderation action on a listing, chained by SHA-256 (each entry's hash
-- covers the previous entry's hash and its own canonical JSON), so an edited or missing entry shows.
CREATE TABLE moderation_log (
    seq       bigint PRIMARY KEY,
    -- What the hash covers, as stored: {"seq", "at", "action", "item_id", "item_kind", "item_name", "version",
    -- "reason", "severity", "hidden_reviews"}; no workspace, user or private content.
    entry     jsonb NOT NULL CHECK (jsonb_typeof(entry) = 'object'),
    prev_hash text  NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    hash      text  NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
);

-- The chain's head: the last entry's seq and hash. Appends lock it; nothing else does.
CREATE TABLE moderation_log_head (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    seq      bigint  NOT NULL,
    hash     text    NOT NULL
);
INSERT INTO moderation_log_head (seq, hash) VALUES (0, repeat('0', 64));

-- The hash of an entry after `p_prev`.
CREATE FUNCTION marketplace_log_hash(p_prev text, p_entry jsonb) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT encode(sha256(convert_to(p_prev || E'\n' || p_entry::text, 'UTF8')), 'hex')
$$;

-- Appends one entry. The listing's name is recorded while the listing is public (approved).
CREATE FUNCTION marketplace_log_moderation(
    p_at timestamptz, p_action text, p_kind item_kind, p_item bigint, p_version text, p_reason text,
    p_severity text
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_seq      bigint;
    v_prev     text;
    v_name     text;
    v_approved boolean;
    v_hidden   bigint;
    v_entry    jsonb;
    v_hash     text;
BEGIN
    UPDATE moderation_log_head SET seq = seq + 1 RETURNING seq, hash INTO v_seq, v_prev;
    EXECUTE format('SELECT name, is_approved FROM %I WHERE id = $1',
                   (SELECT tbl FROM marketplace_kinds_in_lock_order() WHERE kind = p_kind))
        INTO v_name, v_approved USING p_item;
    IF p_action IN ('hide_review', 'unhide_review') THEN
        SELECT count(*) INTO v_hidden FROM user_reviews WHERE item_id = p_item AND hidden_at IS NOT NULL;
    END IF;
    v_entry := jsonb_build_object(
        'seq', v_seq,
        'at', to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'action', p_action,
        'item_id', p_item,
        'item_kind', p_kind,
        'item_name', CASE WHEN v_approved THEN v_name END,
        'version', p_version,
        'reason', p_reason,
        'severity', p_severity,
        'hidden_reviews', v_hidden);
    v_hash := marketplace_log_hash(v_prev, v_entry);
    INSERT INTO moderation_log (seq, entry, prev_hash, hash) VALUES (v_seq, v_entry, v_prev, v_hash);
    UPDATE moderation_log_head SET hash = v_hash;
END
$$;

-- Which admin actions are on the public record, and with which reason.
CREATE FUNCTION marketplace_log_admin_action() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.item_id IS NOT NULL AND NEW.action NOT IN ('grant_admin', 'revoke_admin') THEN
        PERFORM marketplace_log_moderation(
            NEW.created_at, NEW.action, NEW.item_kind, NEW.item_id, NEW.version,
            CASE WHEN NEW.action IN ('revoke', 'yank') OR (NEW.action = 'reject' AND NEW.reason_public)
                 THEN NEW.reason END,
            NEW.severity);
    END IF;
    RETURN NULL;
END
$$;

-- Deferred to commit: the head row is the last lock any transaction takes, held for the commit alone.
CREATE CONSTRAINT TRIGGER admin_actions_public_record AFTER INSERT ON admin_actions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION marketplace_log_admin_action();

-- The record so far: every listing action logged before this migration, in order (no reason was public).
DO $$
DECLARE
    a record;
BEGIN
    FOR a IN SELECT * FROM admin_actions
             WHERE item_id IS NOT NULL AND action NOT IN ('grant_admin', 'revoke_admin')
             ORDER BY created_at, id LOOP
        PERFORM marketplace_log_moderation(a.created_at, a.action, a.item_kind, a.item_id, a.version, NULL, NULL);
    END LOOP;
END
$$;

-- Append-only, whoever writes: no role but the owner keeps UPDATE, DELETE or TRUNCATE on it, and a trigger
-- refuses them for everyone.
CREATE FUNCTION marketplace_refuse_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the moderation log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER moderation_log_append_only BEFORE UPDATE OR DELETE ON moderation_log
    FOR EACH ROW EXECUTE FUNCTION marketplace_refuse_log_change();
CREATE TRIGGER moderation_log_no_truncate BEFORE TRUNCATE ON moderation_log
    FOR EACH STATEMENT EXECUTE FUNCTION marketplace_refuse_log_change();
REVOKE UPDATE, DELETE, TRUNCATE ON moderation_log FROM PUBLIC;
DO $$
DECLARE
    g text;
BEGIN
    FOR g IN SELECT DISTINCT grantee FROM information_schema.role_table_grants
             WHERE table_schema = current_schema() AND table_name = 'moderation_log'
               AND privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE') AND grantee <> current_user LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON moderation_log FROM %I', g);
    END LOOP;
END
$$;
