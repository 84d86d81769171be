'use server';

import { revalidateTag } from 'next/cache';
import { z } from 'zod';
import { requireAdmin } from '@/lib/auth';
import { createAdminClient } from '@/lib/supabase/admin';

const ProductSchema = z.object({
  slug: z.string().regex(/^[a-z0-9-]+$/).max(120),
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(5000).optional(),
  priceCents: z.coerce.number().int().min(0),
  stock: z.coerce.number().int().min(0).default(0),
});

const PriceSchema = z.object({ productId: z.uuid(), priceCents: z.number().int().min(0) });
const ArchiveSchema = z.object({ productId: z.uuid() });

export async function createProduct(formData: FormData) {
  await requireAdmin();
  const parsed = ProductSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) return { ok: false as const, error: 'Please check the product fields' };

  const { slug, name, description, priceCents, stock } = parsed.data;
  const admin = createAdminClient();
  const { error } = await admin
    .from('products')
    .insert({ slug, name, description: description ?? null, price_cents: priceCents, stock });
  if (error) {
    console.error('createProduct failed', { code: error.code });
    return { ok: false as const, error: 'Could not create the product' };
  }

  revalidateTag('products', 'max');
  return { ok: true as const };
}

export async function updateProductPrice(input: unknown) {
  await requireAdmin();
  const parsed = PriceSchema.safeParse(input);
  if (!parsed.success) return { ok: false as const, error: 'Invalid price' };

  const admin = createAdminClient();
  const { error } = await admin
    .from('products')
    .update({ price_cents: parsed.data.priceCents, updated_at: new Date().toISOString() })
    .eq('id', parsed.data.productId);
  if (error) return { ok: false as const, error: 'Could not update the price' };

  revalidateTag('products');
  return { ok: true as const };
}

export async function archiveProduct(input: unknown) {
  await requireAdmin();
  const parsed = ArchiveSchema.safeParse(input);
  if (!parsed.success) return { ok: false as const, error: 'Invalid product' };

  const admin = createAdminClient();
  const { error } = await admin
    .from('products')
    .update({ active: false, updated_at: new Date().toISOString() })
    .eq('id', parsed.data.productId);
  if (error) return { ok: false as const, error: 'Could not archive the product' };

  revalidateTag('prodcuts', 'max');
  return { ok: true as const };
}
