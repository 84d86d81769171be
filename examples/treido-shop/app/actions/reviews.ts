'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { requireUser } from '@/lib/auth';
import { createClient } from '@/lib/supabase/server';

const ReviewSchema = z.object({
  productId: z.uuid(),
  productSlug: z.string().regex(/^[a-z0-9-]+$/).max(120),
  rating: z.coerce.number().int().min(1).max(5),
  body: z.string().trim().max(2000).optional(),
});

const DeleteReviewSchema = z.object({
  reviewId: z.uuid(),
  productSlug: z.string().regex(/^[a-z0-9-]+$/).max(120),
});

export async function submitReview(formData: FormData) {
  const user = await requireUser();
  const parsed = ReviewSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success) return { ok: false as const, error: 'Please pick a rating from 1 to 5' };

  const { productId, productSlug, rating, body } = parsed.data;
  const supabase = await createClient();
  const { error } = await supabase
    .from('reviews')
    .insert({ product_id: productId, user_id: user.id, rating, body: body ?? null });

  if (error?.code === '23505') return { ok: false as const, error: 'You already reviewed this product' };
  if (error) {
    console.error('submitReview failed', { userId: user.id, code: error.code });
    return { ok: false as const, error: 'Could not save your review' };
  }

  revalidatePath(`/products/${productSlug}`);
  return { ok: true as const };
}

export async function deleteReview(input: unknown) {
  const parsed = DeleteReviewSchema.safeParse(input);
  if (!parsed.success) return { ok: false as const, error: 'Invalid review' };

  // Ownership is enforced by RLS.
  const supabase = await createClient();
  const { error } = await supabase.from('reviews').delete().eq('id', parsed.data.reviewId);
  if (error) return { ok: false as const, error: 'Could not delete this review' };

  revalidatePath(`/products/${parsed.data.productSlug}`);
  return { ok: true as const };
}
