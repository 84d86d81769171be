'use client';

import { useState, useTransition } from 'react';
import { addToCart } from '@/app/actions/cart';

export function AddToCartButton({ productId }: { productId: string }) {
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);

  function handleClick() {
    startTransition(async () => {
      const result = await addToCart({ productId, quantity: 1 });
      setMessage(result.ok ? 'Ajouté au panier 🛒' : result.error);
    });
  }

  return (
    <div>
      <button type="button" onClick={handleClick} disabled={pending}>
        {pending ? 'Adding…' : 'Add to cart'}
      </button>
      {message && <p role="status">{message}</p>}
    </div>
  );
}
