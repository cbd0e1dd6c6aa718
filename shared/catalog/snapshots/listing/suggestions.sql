-- 1643 bytes
SELECT name FROM ((SELECT t.name, word_similarity($1, t.name) AS similarity, t.install_count
              FROM agents t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND $1 <% t.name
              ORDER BY similarity DESC, t.install_count DESC LIMIT 5) UNION ALL (SELECT t.name, word_similarity($1, t.name) AS similarity, t.install_count
              FROM workflow_templates t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND $1 <% t.name
              ORDER BY similarity DESC, t.install_count DESC LIMIT 5) UNION ALL (SELECT t.name, word_similarity($1, t.name) AS similarity, t.install_count
              FROM skills t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND $1 <% t.name
              ORDER BY similarity DESC, t.install_count DESC LIMIT 5) UNION ALL (SELECT t.name, word_similarity($1, t.name) AS similarity, t.install_count
              FROM llm_models t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND $1 <% t.name
              ORDER BY similarity DESC, t.install_count DESC LIMIT 5) UNION ALL (SELECT t.name, word_similarity($1, t.name) AS similarity, t.install_count
              FROM tools t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND $1 <% t.name
              ORDER BY similarity DESC, t.install_count DESC LIMIT 5)) closest
         GROUP BY name ORDER BY max(similarity) DESC, max(install_count) DESC, name LIMIT 5
