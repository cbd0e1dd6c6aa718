-- Where users, admins, workspaces and members come from on a real deployment.
--
-- Users: a verified token whose subject has no row makes one on first use (the service does that, unless
-- USER_PROVISIONING=off). Admins: the first is made by invoking the migrate function with
-- {"grant_admin": "<sub>"}, logged here with no acting admin (the operator). Workspaces and members: a
-- platform that owns them keeps them in step through the three functions below, granted to a role of its own
-- (deploy/database-setup.sql's platform role) and to nobody else.

ALTER TABLE admin_actions ALTER COLUMN admin_id DROP NOT NULL;
ALTER TABLE admin_actions ALTER COLUMN item_id DROP NOT NULL;
ALTER TABLE admin_actions ALTER COLUMN item_kind DROP NOT NULL;
ALTER TABLE admin_actions ADD COLUMN subject_user_id bigint REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE admin_actions DROP CONSTRAINT admin_actions_action_check;
ALTER TABLE admin_actions ADD CONSTRAINT admin_actions_action_check
    CHECK (action IN ('approve', 'reject', 'feature', 'unfeature', 'delist', 'hide_review', 'unhide_review',
                      'official', 'unofficial', 'grant_admin', 'revoke_admin'));
-- Every action names what it acted on: an item, or (for admin grants) a user.
ALTER TABLE admin_actions ADD CONSTRAINT admin_actions_target_check
    CHECK (CASE WHEN action IN ('grant_admin', 'revoke_admin') THEN subject_user_id IS NOT NULL
                ELSE item_id IS NOT NULL AND item_kind IS NOT NULL AND admin_id IS NOT NULL END) NOT VALID;

-- The workspace `p_id` named `p_name`, made or renamed.
CREATE FUNCTION marketplace_sync_workspace(p_id uuid, p_name text)
RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    INSERT INTO workspaces (id, name) VALUES (p_id, p_name)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name WHERE workspaces.name IS DISTINCT FROM excluded.name;
$$;

-- The user of identity-provider subject `p_subject` (made if new; its display name set when one is given) is a
-- member of workspace `p_workspace` with role `p_role` (owner, admin, editor or viewer).
CREATE FUNCTION marketplace_sync_member(p_workspace uuid, p_subject text, p_role text,
                                        p_display_name text DEFAULT NULL)
RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    INSERT INTO users (auth_subject, display_name)
    VALUES (p_subject, coalesce(nullif(btrim(p_display_name), ''), 'Member'))
    ON CONFLICT (auth_subject) DO UPDATE
        SET display_name = coalesce(nullif(btrim(p_display_name), ''), users.display_name);
    INSERT INTO workspace_members (workspace_id, user_id, role)
    SELECT p_workspace, u.id, p_role FROM users u WHERE u.auth_subject = p_subject
    ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role;
$$;

-- The user of `p_subject` is no longer a member of `p_workspace` (nothing if they were not).
CREATE FUNCTION marketplace_remove_member(p_workspace uuid, p_subject text)
RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    DELETE FROM workspace_members m USING users u
    WHERE m.workspace_id = p_workspace AND m.user_id = u.id AND u.auth_subject = p_subject;
$$;

REVOKE ALL ON FUNCTION marketplace_sync_workspace(uuid, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION marketplace_sync_member(uuid, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION marketplace_remove_member(uuid, text) FROM PUBLIC;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'marketplace_platform') THEN
        GRANT EXECUTE ON FUNCTION marketplace_sync_workspace(uuid, text) TO marketplace_platform;
        GRANT EXECUTE ON FUNCTION marketplace_sync_member(uuid, text, text, text) TO marketplace_platform;
        GRANT EXECUTE ON FUNCTION marketplace_remove_member(uuid, text) TO marketplace_platform;
    END IF;
END
$$;

-- `p_count` install record ids, in order. A sequence function called in a request's statement pins its RDS
-- Proxy session; called inside a function it does not (the proxy sees a function call). Installs draw the
-- ids of an install's records here before writing them.
CREATE FUNCTION marketplace_reserve_install_ids(p_count integer)
RETURNS SETOF bigint LANGUAGE sql AS $$
    SELECT nextval(pg_get_serial_sequence('marketplace_installs', 'id')) FROM generate_series(1, p_count) n
    ORDER BY n;
$$;
