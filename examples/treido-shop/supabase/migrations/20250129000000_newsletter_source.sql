-- Where a subscriber signed up (footer, checkout, ...). The generated types were not
-- regenerated after this migration: types/database.types.ts still lacks the column.
alter table public.newsletter_subscribers add column source text;
