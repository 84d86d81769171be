import 'server-only';
import { forbidden, redirect } from 'next/navigation';
import { createClient } from '@/lib/supabase/server';

/**
 * Returns the signed-in user, verified against Supabase Auth (not just the cookie).
 * Redirects to /login otherwise.
 */
export async function requireUser() {
  const supabase = await createClient();
  const {
    data: { user },
  } = await supabase.auth.getUser();

  if (!user) {
    redirect('/login');
  }

  return user;
}

/** Like requireUser(), but also requires profiles.role = 'admin'. Renders 403 otherwise. */
export async function requireAdmin() {
  const user = await requireUser();
  const supabase = await createClient();

  const { data: profile, error } = await supabase
    .from('profiles')
    .select('role')
    .eq('id', user.id)
    .single();

  if (error || profile.role !== 'admin') {
    forbidden();
  }

  return user;
}
