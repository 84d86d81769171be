-- Stripe payments: price ids on products, webhook idempotency, stock adjustments.

alter table public.products add column stripe_price_id text unique;

-- One row per Stripe event we have handled; the primary key rejects replays.
create table public.processed_events (
  id text primary key,
  type text not null,
  processed_at timestamptz not null default now()
);

alter table public.processed_events enable row level security;

-- Only the service role (the webhook) touches this table.
create policy "No client access to processed events"
  on public.processed_events for all to anon, authenticated
  using (false)
  with check (false);

-- Used by the webhooks: negative delta on sale, positive on refund.
create or replace function public.adjust_stock(p_product_id uuid, p_delta integer)
returns void
language plpgsql
security definer
as $$
begin
  update products
     set stock = greatest(stock + p_delta, 0),
         updated_at = now()
   where id = p_product_id;
end;
$$;

revoke execute on function public.adjust_stock(uuid, integer) from public, anon, authenticated;
grant execute on function public.adjust_stock(uuid, integer) to service_role;

-- Wishlists (table created in 20250108000000_reviews_wishlist.sql).
alter table public.wishlist_items enable row level security;

create policy "Users can read their wishlist"
  on public.wishlist_items for select to authenticated
  using ((select auth.uid()) = user_id);

create policy "Users can add to their wishlist"
  on public.wishlist_items for insert to authenticated
  with check ((select auth.uid()) = user_id);

create policy "Users can remove from their wishlist"
  on public.wishlist_items for delete to authenticated
  using ((select auth.uid()) = user_id);
