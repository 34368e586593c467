import type { ActionFunctionArgs } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { parseCookieHeader, serializeCookieHeader } from '@supabase/ssr';
import { createSupabase } from '~/utils/supabase.server.ts';

export async function action({ request, context }: ActionFunctionArgs) {
  const { supabase, headers } = createSupabase(request, context);
  const { error } = await supabase.auth.signOut({ scope: 'local' });
  if (error) {
    // The auth server could not be told; this browser's session still ends.
    for (const { name } of parseCookieHeader(request.headers.get('Cookie') ?? '')) {
      if (name.startsWith('sb-')) headers.append('Set-Cookie', serializeCookieHeader(name, '', { path: '/', maxAge: 0 }));
    }
  }
  throw redirect('/login', { headers });
}

export async function loader() {
  throw redirect('/');
}
