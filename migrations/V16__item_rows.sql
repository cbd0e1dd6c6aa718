-- Every kind's item rows as one relation, with the columns a listing's walk reads (filters, search, sort
-- keys): the listing and search statements read the kinds together through it instead of spelling the
-- union out, which kept their text over RDS Proxy's 16 KB pinning size.
--
-- No branch may carry a WHERE clause: PostgreSQL flattens a UNION ALL into one append relation only when
-- its branches have none, and only then merges the kinds' ordered indexes (Merge Append) and drops the
-- branches a constant `kind` condition rules out. The view is inlined, so plans are those of the union
-- written out in full.
CREATE VIEW item_rows AS
    SELECT 'agent'::text AS kind, id, owner_type, delisted_at, is_approved, is_featured, marketplace_category,
           tags, name, description, name_words, search_words, install_count, created_at, updated_at,
           rating_score, trending_installs, workspace_count
    FROM agents
    UNION ALL
    SELECT 'recipe'::text, id, owner_type, delisted_at, is_approved, is_featured, marketplace_category,
           tags, name, description, name_words, search_words, install_count, created_at, updated_at,
           rating_score, trending_installs, workspace_count
    FROM workflow_templates
    UNION ALL
    SELECT 'skill'::text, id, owner_type, delisted_at, is_approved, is_featured, marketplace_category,
           tags, name, description, name_words, search_words, install_count, created_at, updated_at,
           rating_score, trending_installs, workspace_count
    FROM skills
    UNION ALL
    SELECT 'llm'::text, id, owner_type, delisted_at, is_approved, is_featured, marketplace_category,
           tags, name, description, name_words, search_words, install_count, created_at, updated_at,
           rating_score, trending_installs, workspace_count
    FROM llm_models
    UNION ALL
    SELECT 'tool'::text, id, owner_type, delisted_at, is_approved, is_featured, marketplace_category,
           tags, name, description, name_words, search_words, install_count, created_at, updated_at,
           rating_score, trending_installs, workspace_count
    FROM tools;

-- A search term's predicates, named once (browse/search.rs): plain SQL functions of one expression, which the
-- planner inlines before it picks indexes, so the trigram and word indexes serve them as they serve the
-- expression written out. `contains` is the escaped `%term%`, `prefix` the escaped `term%`.
CREATE FUNCTION search_matches(name text, description text, search_words tsvector, contains text, term text)
    RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT name ILIKE contains OR description ILIKE contains
                 OR search_words @@ plainto_tsquery('english', term) $$;

-- The relevance tier of an item that matches: 0 the name is the term, 1 the name starts with it, 2 the name
-- matches it, 3 only the description does.
CREATE FUNCTION search_tier(name text, name_words tsvector, term text, prefix text, contains text)
    RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN lower(name) = lower(term) THEN 0
                      WHEN lower(name) LIKE lower(prefix) THEN 1
                      WHEN name ILIKE contains OR name_words @@ plainto_tsquery('english', term) THEN 2
                      ELSE 3 END $$;
