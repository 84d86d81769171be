"""SQL migration rules: checks over the schema folded from supabase/migrations."""
