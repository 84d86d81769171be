import { redirect } from 'next/navigation';
import { updateProfile } from '@/app/actions/account';
import { createClient } from '@/lib/supabase/server';

export default async function AccountPage() {
  const supabase = await createClient();
  const { data: { session } } = await supabase.auth.getSession();
  if (!session) redirect('/login');

  const { data: profile, error } = await supabase
    .from('profiles')
    .select('full_name, avatar_url, role')
    .eq('id', session.user.id)
    .single();
  if (error) throw new Error('Could not load your profile');

  return (
    <main>
      <h1>Mon compte</h1>
      {profile.role === 'admin' && <a href="/admin">Back office</a>}
      <form action={updateProfile}>
        <label>
          Name
          <input name="full_name" defaultValue={profile.full_name ?? ''} maxLength={120} />
        </label>
        <label>
          Avatar URL
          <input name="avatar_url" type="url" defaultValue={profile.avatar_url ?? ''} />
        </label>
        <button type="submit">Save</button>
      </form>
    </main>
  );
}
