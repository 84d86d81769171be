'use server';

import { z } from 'zod';
import { createClient } from '@/lib/supabase/server';

const NewsletterSchema = z.object({
  email: z.email().max(320),
  locale: z.enum(['en', 'fr', 'zh']).default('en'),
});

export type NewsletterState = { ok: boolean; message: string } | null;

// Anyone may subscribe ✉️: RLS only lets anon/authenticated INSERT into newsletter_subscribers.
// treido-ignore-next-line auth/missing-getuser-guard -- public newsletter signup
export async function subscribeToNewsletter(
  _prev: NewsletterState,
  formData: FormData,
): Promise<NewsletterState> {
  const parsed = NewsletterSchema.safeParse({
    email: formData.get('email'),
    locale: formData.get('locale') ?? undefined,
  });
  if (!parsed.success) {
    return { ok: false, message: 'Please enter a valid email address.' };
  }

  const supabase = await createClient();
  const { error } = await supabase
    .from('newsletter_subscribers')
    .insert({ email: parsed.data.email.toLowerCase(), locale: parsed.data.locale });

  // 23505 = already subscribed. Answer the same way so the list can't be probed.
  if (error && error.code !== '23505') {
    console.error('Newsletter signup failed', { code: error.code });
    return { ok: false, message: 'Something went wrong. Please try again.' };
  }

  return { ok: true, message: 'Merci ! You’re on the list.' };
}
