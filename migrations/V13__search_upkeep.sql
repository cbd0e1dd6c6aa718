-- Every install rewrites its listing's row (its counters are indexed, so the update is never HOT). Each new
-- row version enters every GIN index on the row through the index's pending list, which every search of
-- that index then reads in full: at the default 4 MB a list held 388 pages after 3,200 installs at 1M
-- items, and each trigram lookup took 3.5–6 ms instead of 0.5 (a rare-word search makes fifteen). 256 kB
-- bounds that read at 32 pages; the insert that fills a list moves it into the index.
--
-- The old row versions also clear their pages' all-visible bits, and the covering name index (V12) then
-- reads the table for them (1,307 of 6,141 entries after those installs). Vacuuming an item table after 2 %
-- of its rows changed, not the default 20 %, keeps both small.
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
        EXECUTE format('ALTER TABLE %I SET (autovacuum_vacuum_scale_factor = 0.02)', t);
    END LOOP;
END
$$;
