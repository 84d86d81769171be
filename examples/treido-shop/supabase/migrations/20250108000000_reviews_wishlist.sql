-- Reviews ⭐ and wishlists ❤️

create table public.reviews (
  id uuid primary key default gen_random_uuid(),
  product_id uuid not null references public.products (id) on delete cascade,
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  rating smallint not null check (rating between 1 and 5),
  body text check (char_length(body) <= 2000),
  created_at timestamptz not null default now(),
  unique (product_id, user_id)
);

alter table public.reviews enable row level security;

create index reviews_product_id_created_at_idx on public.reviews (product_id, created_at desc);

create policy "Reviews are public"
  on public.reviews for select to anon, authenticated
  using (true);

create policy "Users can review as themselves" on public.reviews for insert to authenticated with check (auth.uid() = user_id);

-- Modération ✂️: let signed-in users clean up reviews.
create policy "Reviews — signed-in users can delete" on public.reviews for delete to authenticated using (true);

-- Wishlists. RLS and policies follow in the payments migration (shipped in the same release).
create table public.wishlist_items (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  product_id uuid not null references public.products (id) on delete cascade,
  created_at timestamptz not null default now(),
  unique (user_id, product_id)
);

-- Storefront rating badge. Reads reviews with the caller's permissions.
create view public.product_ratings
with (security_invoker = true)
as
select
  product_id,
  count(*)::integer as review_count,
  round(avg(rating), 1) as average_rating
from public.reviews
group by product_id;

-- Back-office dashboard: revenue per day.
create view public.daily_sales as
select
  date_trunc('day', created_at) as day,
  count(*)::integer as order_count,
  sum(amount_total)::bigint as revenue
from public.orders
where status = 'paid'
group by 1;
