import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Enables 'use cache', cacheTag() and cacheLife().
  cacheComponents: true,
  experimental: {
    // Lets requireAdmin() call forbidden().
    authInterrupts: true,
  },
};

export default nextConfig;
