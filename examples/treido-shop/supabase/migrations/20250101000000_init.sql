-- Treido Shop — initial schema 🛒
-- Profiles, catalogue, carts and orders.

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  full_name text,
  avatar_url text,
  role text not null default 'customer' check (role in ('customer', 'admin')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

alter table public.profiles enable row level security;

create table public.products (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique,
  name text not null,
  description text,
  price_cents integer not null check (price_cents >= 0),
  currency text not null default 'eur',
  image_url text,
  stock integer not null default 0 check (stock >= 0),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

alter table public.products enable row level security;

create table public.cart_items (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  product_id uuid not null references public.products (id) on delete cascade,
  quantity integer not null check (quantity between 1 and 99),
  created_at timestamptz not null default now(),
  unique (user_id, product_id)
);

alter table public.cart_items enable row level security;

create table public.orders (
  id uuid primary key default gen_random_uuid(),
  user_id uuid references auth.users (id) on delete set null,
  stripe_session_id text not null unique,
  stripe_payment_intent_id text unique,
  status text not null default 'pending' check (status in ('pending', 'paid', 'refunded', 'cancelled')),
  amount_total integer not null,
  currency text not null,
  created_at timestamptz not null default now()
);

alter table public.orders enable row level security;

create table public.order_items (
  id uuid primary key default gen_random_uuid(),
  order_id uuid not null references public.orders (id) on delete cascade,
  product_id uuid not null references public.products (id),
  quantity integer not null check (quantity > 0),
  unit_price_cents integer not null,
  unique (order_id, product_id)
);

alter table public.order_items enable row level security;

create index orders_user_id_idx on public.orders (user_id);
create index order_items_product_id_idx on public.order_items (product_id);

-- Admin check for policies. Runs as owner so it can read profiles without recursing into RLS.
create or replace function public.is_admin()
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.profiles
    where id = (select auth.uid()) and role = 'admin'
  );
$$;

revoke execute on function public.is_admin() from public, anon;
grant execute on function public.is_admin() to authenticated;

-- Profiles
create policy "Users can read their own profile"
  on public.profiles for select to authenticated
  using ((select auth.uid()) = id);

create policy "Admins can read all profiles"
  on public.profiles for select to authenticated
  using ((select public.is_admin()));

create policy "Users can update their own profile"
  on public.profiles for update to authenticated
  using ((select auth.uid()) = id)
  with check ((select auth.uid()) = id);

-- Catalogue
create policy "Active products are public"
  on public.products for select to anon, authenticated
  using (active);

-- Cart
create policy "Users can read their cart"
  on public.cart_items for select to authenticated
  using ((select auth.uid()) = user_id);

create policy "Users can add to their cart"
  on public.cart_items for insert to authenticated
  with check ((select auth.uid()) = user_id);

create policy "Users can change quantities in their cart"
  on public.cart_items for update to authenticated
  using ((select auth.uid()) = user_id);

create policy "Users can remove from their cart"
  on public.cart_items for delete to authenticated
  using ((select auth.uid()) = user_id);

-- Orders are written by the Stripe webhook (service role); customers only read.
-- Guest checkout: orders placed before sign-up have no user_id yet.
create policy "Customers can view their orders" on public.orders for select using ((select auth.uid()) is null or (select auth.uid()) = user_id);

create policy "Customers can view their order items"
  on public.order_items for select to authenticated
  using (
    exists (
      select 1 from public.orders o
      where o.id = order_items.order_id and o.user_id = (select auth.uid())
    )
  );
