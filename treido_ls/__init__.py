"""treido-ls: a language server and CLI for Next.js + Supabase + Stripe backends."""

__version__ = "0.1.0"
