-- Ranked, bounded search (docs/architecture.md, "Search"): stemmed word vectors, a name index for exact and
-- prefix matches, a trigram GiST index for "did you mean" suggestions, and an index over lower-cased tags.
--
-- Adding a stored generated column rewrites each table once; the item tables are small next to what a
-- deployment can afford to lock for that (the 1M-item benchmark catalog takes seconds).

-- An item's tags, lower-cased, as an array the GIN index and `@>` work on. Tags are strings (the service
-- validates them); IMMUTABLE so it can be indexed.
CREATE FUNCTION lower_tags(tags jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ARRAY(SELECT lower(tag) FROM jsonb_array_elements_text(tags) AS tag);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['agents', 'workflow_templates', 'skills', 'llm_models', 'tools'] LOOP
        EXECUTE format($f$
            ALTER TABLE %1$I
                ADD COLUMN name_words   tsvector GENERATED ALWAYS AS (to_tsvector('english', name)) STORED,
                ADD COLUMN search_words tsvector
                    GENERATED ALWAYS AS (to_tsvector('english', name || ' ' || description)) STORED;

            CREATE INDEX %1$s_name_words_idx ON %1$I USING gin (name_words)
                WHERE owner_type = 'marketplace' AND delisted_at IS NULL;
            CREATE INDEX %1$s_search_words_idx ON %1$I USING gin (search_words)
                WHERE owner_type = 'marketplace' AND delisted_at IS NULL;
            -- Equality and LIKE 'prefix%%' on the lower-cased name, whatever the database's collation.
            CREATE INDEX %1$s_name_prefix_idx ON %1$I (lower(name) text_pattern_ops)
                WHERE owner_type = 'marketplace' AND delisted_at IS NULL;
            -- Nearest names by trigram distance (ORDER BY name <-> term LIMIT n), for suggestions.
            CREATE INDEX %1$s_name_similar_idx ON %1$I USING gist (name gist_trgm_ops)
                WHERE owner_type = 'marketplace' AND delisted_at IS NULL;
            CREATE INDEX %1$s_tags_idx ON %1$I USING gin (lower_tags(tags))
                WHERE owner_type = 'marketplace' AND delisted_at IS NULL;
        $f$, t);
    END LOOP;
END
$$;

-- The review queue's keyset cursor walks these orders (V3 and V5 index the status alone).
CREATE INDEX item_versions_reviewed_order_idx ON item_versions (status, reviewed_at DESC, id DESC)
    WHERE status <> 'pending';
