-- Ranked search (issue 8): the term index gains the field each term occurs in, so a title match
-- can rank above a description match, and its terms change (every CJK character and adjacent
-- pair, English words folded: "mushrooms" -> "mushroom"), so it is rebuilt from the products.
-- One row per (term, product) with the best field (0 title, 1 a label's title, 2 a
-- description). The primary key streams a term's postings title matches first; the second key
-- answers "which of these terms does this product contain" and deletes a product's rows.
CREATE TABLE product_terms (
  term VARCHAR(32) NOT NULL,
  field TINYINT NOT NULL,
  product_id CHAR(26) NOT NULL,
  PRIMARY KEY (term, field, product_id),
  KEY idx_product_terms_product (product_id, term)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Progress of the start-up backfill (search_store.h BackfillSearchIndex): products with an id
-- after after_id have not been indexed by it yet; done once it has walked them all. Products
-- written after this migration are indexed by their own write.
CREATE TABLE search_backfill (
  name VARCHAR(32) NOT NULL PRIMARY KEY,
  after_id CHAR(26) NOT NULL,
  done BOOLEAN NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A search for a small scope starts from the caller's products (search_store.h ScopeHitsQuery):
-- a cooperative's ACTIVE products of a category, without reading their wide rows.
CREATE INDEX idx_products_search_scope ON products (cooperative_id, state, category, id);

INSERT INTO search_backfill (name, after_id, done) VALUES ('product_terms', '', FALSE);

DROP TABLE product_tokens;
