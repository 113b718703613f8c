-- Key prefixes are for recognising a key in listings only: at most 6 characters are kept in clear (earlier
-- gates kept 10, which for a short ADMIN_API_KEY could be most of the key).
UPDATE "api_keys" SET "prefix" = left("prefix", 6) WHERE length("prefix") > 6;
