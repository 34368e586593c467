import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data } from '@remix-run/node';
import {
  Form,
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useMatches,
  useNavigation,
  useRouteError,
  useRouteLoaderData,
} from '@remix-run/react';
import { useEffect, type ReactNode } from 'react';
import stylesheet from './tailwind.css?url';
import { HeaderInbox } from './components/header-inbox.tsx';
import { HeaderSearch } from './components/header-search.tsx';
import { getOptionalUser } from './utils/auth.server.ts';
import { useNonce } from './utils/nonce.tsx';
import { registerServiceWorker, useBrowserOnline } from './utils/offline.ts';

const favicon =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%230284c7'/%3E%3C/svg%3E";

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: stylesheet },
  { rel: 'icon', href: favicon, type: 'image/svg+xml' },
];

export const meta: MetaFunction = () => [{ title: 'Tieout' }, { name: 'description', content: 'Deal diligence checklists, edited together.' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await getOptionalUser(request, context);
  return data({ user: session?.user ?? null }, { headers: session?.headers });
}

/** zod reads `globalThis.__zod_globalConfig` when it loads; parsing without the compiled fast path gives the same results. */
const ZOD_WITHOUT_EVAL = 'globalThis.__zod_globalConfig = Object.assign(globalThis.__zod_globalConfig || {}, { jitless: true });';

export function Layout({ children }: { children: ReactNode }) {
  const rootData = useRouteLoaderData<typeof loader>('root');
  const user = rootData?.user ?? null;
  // The response's CSP nonce (server render only; decision 105).
  const nonce = useNonce();
  // Pages whose route says `handle = { layout: 'wide' }` (the grid: a spreadsheet of nine columns, 1,540 px at their
  // default widths) use up to 100rem of the window instead of the reading width of every other page.
  const wide = useMatches().some((match) => (match.handle as { layout?: string } | undefined)?.layout === 'wide');
  return (
    <html lang="en" className="h-full">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
        {/* Before any module: zod compiles object parsers with `new Function` unless told not to, and it asks whether
            it may when a schema is made, which the CSP (no 'unsafe-eval', decision 105) reports as a violation. */}
        <script nonce={nonce || undefined} dangerouslySetInnerHTML={{ __html: ZOD_WITHOUT_EVAL }} />
      </head>
      <body className="min-h-full bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-sm dark:focus:bg-slate-900"
        >
          Skip to content
        </a>
        <header className="border-b border-slate-200 bg-white/80 dark:border-slate-800 dark:bg-slate-900/80">
          <div className={`mx-auto flex h-14 items-center justify-between gap-2 px-4 sm:gap-4 ${wide ? 'max-w-[100rem]' : 'max-w-6xl'}`}>
            <Link to="/" className="flex items-center gap-2 text-base font-semibold tracking-tight">
              <span aria-hidden="true" className="inline-block h-5 w-5 rounded bg-gradient-to-br from-sky-500 to-indigo-600" />
              Tieout
            </Link>
            {user ? <HeaderSearch /> : null}
            {user ? (
              <div className="flex items-center gap-2 whitespace-nowrap text-sm sm:gap-3">
                <HeaderInbox userId={user.id} />
                <span className="hidden text-slate-600 sm:inline dark:text-slate-300" title={user.email}>
                  {user.name}
                </span>
                <Form method="post" action="/logout">
                  <button
                    type="submit"
                    className="rounded-md px-2 py-1 text-slate-600 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-white"
                  >
                    Sign out
                  </button>
                </Form>
              </div>
            ) : null}
          </div>
        </header>
        <NavigationProgress />
        <OfflineBanner />
        <main id="main" className={`mx-auto px-4 py-8 ${wide ? 'max-w-[100rem]' : 'max-w-6xl'}`}>
          {children}
        </main>
        <ScrollRestoration nonce={nonce || undefined} />
        <Scripts nonce={nonce || undefined} />
      </body>
    </html>
  );
}

function NavigationProgress() {
  const navigation = useNavigation();
  if (navigation.state === 'idle') return null;
  return <div role="progressbar" aria-label="Loading" className="h-0.5 w-full animate-pulse bg-sky-500" />;
}

function OfflineBanner() {
  const online = useBrowserOnline();
  if (online) return null;
  return (
    <p
      role="status"
      aria-label="Network"
      className="border-b border-amber-200 bg-amber-50 px-4 py-1.5 text-center text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100"
    >
      You are offline. Pages show what this device last loaded; checklist edits are kept here and sent when you reconnect.
    </p>
  );
}

export default function App() {
  useEffect(registerServiceWorker, []);
  // Effects run children first, so once this is set every listener the first page attaches is in place:
  // browser tests wait for it before they press keys.
  useEffect(() => {
    document.documentElement.dataset.hydrated = 'true';
  }, []);
  return <Outlet />;
}

const STATUS_TITLES: Record<number, string> = { 400: 'Bad request', 403: 'Not allowed', 404: 'Not found' };

export function ErrorBoundary() {
  const error = useRouteError();
  const online = useBrowserOnline();
  if (!online && !isRouteErrorResponse(error)) {
    return (
      <ErrorPanel
        title="You are offline"
        detail="This page has not been opened on this device yet, so there is no copy of it here. Checklists you have opened before work offline."
      />
    );
  }
  const title = isRouteErrorResponse(error) ? (STATUS_TITLES[error.status] ?? `${error.status} ${error.statusText}`.trim()) : 'Something went wrong';
  const detail = isRouteErrorResponse(error) ? (typeof error.data === 'string' ? error.data : null) : error instanceof Error ? error.message : null;
  return <ErrorPanel title={title} detail={detail} />;
}

function ErrorPanel({ title, detail }: { title: string; detail: string | null }) {
  return (
    <div role="alert" className="mx-auto max-w-xl rounded-lg border border-red-200 bg-white p-6 dark:border-red-900 dark:bg-slate-900">
      <h1 className="text-lg font-semibold">{title}</h1>
      {detail ? <p className="mt-2 text-sm text-slate-600 dark:text-slate-300">{detail}</p> : null}
      <Link to="/" className="mt-4 inline-block text-sm font-medium text-sky-700 hover:underline dark:text-sky-400">
        Back to your deals
      </Link>
    </div>
  );
}
