import { cacheLife, cacheTag } from 'next/cache';
import { cookies } from 'next/headers';
import { createStaticClient } from '@/lib/supabase/static';

// Catalogue reads 🛒 — cached and public. Invalidated with revalidateTag('products', 'max').
const PAGE_SIZE = 24;

export async function getProducts(page: number) {
  'use cache';
  cacheTag('products');
  cacheLife('hours');

  const from = page * PAGE_SIZE;
  const supabase = createStaticClient();
  const { data, error } = await supabase
    .from('products')
    .select('id, slug, name, price_cents, currency, image_url')
    .eq('active', true)
    .order('created_at', { ascending: false })
    .range(from, from + PAGE_SIZE - 1);

  if (error) throw new Error('Failed to load products');
  return data;
}

export async function getProductBySlug(slug: string) {
  'use cache';
  cacheTag('products');
  cacheLife('hours');

  const supabase = createStaticClient();
  const { data, error } = await supabase
    .from('products')
    .select('id, slug, name, description, price_cents, currency, image_url, stock')
    .eq('slug', slug)
    .eq('active', true)
    .maybeSingle();

  if (error) throw new Error('Failed to load product');
  return data;
}

export async function getNewArrivals() {
  'use cache';
  const supabase = createStaticClient();
  const { data, error } = await supabase
    .from('products')
    .select('id, slug, name, price_cents, currency, image_url')
    .eq('active', true)
    .order('created_at', { ascending: false })
    .limit(4);

  if (error) throw new Error('Failed to load new arrivals');
  return data;
}

export async function getRecentlyViewed() {
  'use cache';
  cacheTag('products');
  cacheLife('minutes');

  const viewed = (await cookies()).get('recently_viewed')?.value ?? '';
  const ids = viewed.split(',').filter(Boolean).slice(0, 8);
  if (ids.length === 0) return [];

  const supabase = createStaticClient();
  const { data, error } = await supabase
    .from('products')
    .select('id, slug, name, image_url')
    .in('id', ids)
    .limit(8);

  if (error) throw new Error('Failed to load recently viewed products');
  return data;
}
