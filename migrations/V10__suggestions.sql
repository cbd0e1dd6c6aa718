-- Suggestions look names up by word similarity through the trigram GIN indexes of V2 (`term <% name`):
-- V7's GiST indexes for nearest-name walks read thousands of pages per kind at 1M items (~55 ms) and are no
-- longer used.
DROP INDEX agents_name_similar_idx;
DROP INDEX workflow_templates_name_similar_idx;
DROP INDEX skills_name_similar_idx;
DROP INDEX llm_models_name_similar_idx;
DROP INDEX tools_name_similar_idx;
