import { useRevalidator } from '@remix-run/react';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import type { PresenceUser } from '~/utils/collab.ts';
import { useCollabToken } from './use-collab-token.ts';
import { useLiveChecklist } from './use-live-checklist.ts';

/**
 * The live document of a checklist page, with its access token kept fresh: refreshed before it expires and once
 * when the server refuses it (4401); losing access (4403/4404) reloads the page's data, which then shows why.
 */
export function useChecklistConnection(options: {
  checklistId: string;
  collabUrl: string;
  /** Null: the page embeds none, the first is fetched from /collab-token. */
  token: string | null;
  tokenExpiresAt: number | null;
  me: PresenceUser;
}) {
  const { checklistId, collabUrl, token, tokenExpiresAt, me } = options;
  const revalidator = useRevalidator();
  const user = useMemo<PresenceUser>(() => me, [me.id]); // eslint-disable-line react-hooks/exhaustive-deps
  const collabToken = useCollabToken({ token, expiresAt: tokenExpiresAt });
  const refreshToken = collabToken.refresh;
  // One fresh token per refusal: if the server refuses the fresh one too, show its reason instead of looping.
  const retriedRefusal = useRef(false);
  const onRefused = useCallback(
    ({ code }: { code: number }) => {
      if (code === 4401 && !retriedRefusal.current) {
        retriedRefusal.current = true;
        refreshToken();
        return 'retrying' as const;
      }
      if (code === 4403 || code === 4404) revalidator.revalidate();
      return 'refused' as const;
    },
    [refreshToken, revalidator],
  );
  const { live, setFocusItem } = useLiveChecklist({
    checklistId,
    collabUrl,
    token: collabToken.token,
    tokenGeneration: collabToken.generation,
    user,
    onRefused,
  });
  const synced = live?.synced ?? false;
  useEffect(() => {
    if (synced) retriedRefusal.current = false;
  }, [synced]);
  return { live, setFocusItem, user, sessionEnded: collabToken.sessionEnded };
}
