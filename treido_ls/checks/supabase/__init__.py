"""Checks of the `supabase/` rules."""
