-- Publishing rules the database enforces, whoever writes.

-- One live listing per submitted workspace item: resubmitting it is a conflict (publish a version instead).
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['agents', 'workflow_templates', 'skills', 'llm_models', 'tools'] LOOP
        EXECUTE format(
            'CREATE UNIQUE INDEX %1$s_live_listing_key ON %1$I (cloned_from_id)
                 WHERE owner_type = ''marketplace'' AND delisted_at IS NULL AND cloned_from_id IS NOT NULL', t);
    END LOOP;
END
$$;

-- At most one version of an item waits for review at a time.
CREATE UNIQUE INDEX item_versions_one_pending_key ON item_versions (item_id) WHERE status = 'pending';
CREATE INDEX item_versions_reviewed_idx ON item_versions (status, reviewed_at DESC) WHERE status <> 'pending';

-- Submissions per user in the current fixed window (new items and new versions alike).
CREATE TABLE submission_windows (
    user_id     bigint      PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    started_at  timestamptz NOT NULL,
    submissions integer     NOT NULL CHECK (submissions >= 0)
);
