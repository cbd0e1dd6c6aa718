-- Every install rewrites its listing's row (its counters are indexed, so the update is never HOT), and each
-- new row version enters every GIN index on the row through the index's pending list, which every search
-- of that index then reads in full. At the default 4 MB a list held 388 pages after 3,200 installs at 1M
-- items and each trigram lookup took 3.5–6 ms instead of 0.5; a rare-word search makes fifteen of them.
-- 256 kB bounds that read at 32 pages; the insert that fills a list moves it into the index.
DO $$
DECLARE
    t text;
    index_name text;
BEGIN
    FOREACH t IN ARRAY ARRAY['agents', 'workflow_templates', 'skills', 'llm_models', 'tools'] LOOP
        FOREACH index_name IN ARRAY ARRAY['name_trgm_idx', 'description_trgm_idx', 'name_words_idx',
                                          'search_words_idx', 'tags_idx'] LOOP
            EXECUTE format('ALTER INDEX %I SET (gin_pending_list_limit = 256)', t || '_' || index_name);
        END LOOP;
    END LOOP;
END
$$;
