import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { addSection, readChecklist } from '@tieout/doc-model';
import { describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type * as Y from 'yjs';
import { attachCollabServer } from '../src/index.ts';
import { connectClient, createFixture, getJson, JWT_SECRET, metricValue, silentLogger, tokenFor, useCollabServer, waitFor } from '../src/testing.ts';

const t = useCollabServer({ server: false });

describe('metrics and extensions', () => {
  it('counts connections, documents, messages and persisted batches, and runs afterPersist with the document', async () => {
    const fx = await createFixture(t.db);
    const persisted: { checklistId: string; titles: string[] }[] = [];
    const server = await t.startServer(t.db, {
      timing: { persistWindowMs: 10 },
      extensions: [
        {
          name: 'recorder',
          afterPersist: ({ checklistId, doc }: { checklistId: string; doc: Y.Doc }) => {
            persisted.push({ checklistId, titles: readChecklist(doc).sections.map((section) => section.title) });
          },
        },
      ],
    });
    const http = `http://127.0.0.1:${server.port}/collab`;
    const editor = connectClient(server.url, fx.checklistId, await tokenFor(fx.users.editor));
    const viewer = connectClient(server.url, fx.checklistId, await tokenFor(fx.users.viewer));
    await Promise.all([editor.synced(), viewer.synced()]);
    addSection(editor.doc, { title: 'Lease exposure' });
    await waitFor(() => persisted.length > 0, 'the projection hook');
    expect(persisted[0]).toEqual({ checklistId: fx.checklistId, titles: ['Lease exposure'] });

    const text = await (await fetch(`${http}/metrics`)).text();
    expect(metricValue(text, 'collab_connections')).toBe(2);
    expect(metricValue(text, 'collab_documents_loaded')).toBe(1);
    expect(metricValue(text, 'collab_messages_in_total{type="sync"}')).toBeGreaterThanOrEqual(3);
    expect(metricValue(text, 'collab_bytes_in_total')).toBeGreaterThan(0);
    expect(metricValue(text, 'collab_messages_out_total')).toBeGreaterThan(0);
    expect(metricValue(text, 'collab_persisted_updates_total')).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, 'collab_persist_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, 'collab_persist_queue_depth')).toBe(0);

    const outsider = connectClient(server.url, fx.checklistId, await tokenFor(fx.users.outsider));
    await outsider.closed;
    const after = await (await fetch(`${http}/metrics`)).text();
    expect(metricValue(after, 'collab_connections_refused_total{code="4403"}')).toBe(1);

    for (const client of [editor, viewer, outsider]) client.destroy();
    await waitFor(async () => metricValue(await (await fetch(`${http}/metrics`)).text(), 'collab_connections') === 0);
    await server.close();
  });

  it('keeps serving when an afterPersist extension throws, and counts the errors', async () => {
    const fx = await createFixture(t.db);
    let calls = 0;
    const server = await t.startServer(t.db, {
      timing: { persistWindowMs: 10 },
      extensions: [
        {
          name: 'broken',
          afterPersist: () => {
            calls += 1;
            throw new Error('projection writer down');
          },
        },
      ],
    });
    const editor = connectClient(server.url, fx.checklistId, await tokenFor(fx.users.editor));
    await editor.synced();
    addSection(editor.doc, { title: 'One' });
    await waitFor(() => calls === 1);
    addSection(editor.doc, { title: 'Two' });
    await waitFor(() => calls === 2);
    const text = await (await fetch(`http://127.0.0.1:${server.port}/collab/metrics`)).text();
    expect(metricValue(text, 'collab_extension_errors_total{extension="broken",hook="afterPersist"}')).toBe(2);
    editor.destroy();
    await server.close();
  });
});

describe('attached to an app server', () => {
  it('handles only upgrades and HTTP paths under /collab, leaving the rest to the app', async () => {
    const fx = await createFixture(t.db);
    const httpServer = createServer();
    const collab = attachCollabServer(httpServer, { db: t.db, auth: { jwtSecret: JWT_SECRET }, logger: silentLogger });
    // The app's own websocket endpoint on the same server, as Vite's HMR would be.
    const appSockets = new WebSocketServer({ noServer: true });
    httpServer.on('upgrade', (request, socket, head) => {
      if (request.url?.startsWith('/app-ws')) appSockets.handleUpgrade(request, socket, head, (ws) => ws.send('app'));
    });
    httpServer.on('request', (request, response) => {
      if (collab.handleHttp(request, response)) return;
      response.writeHead(200, { 'content-type': 'text/plain' }).end('app page');
    });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const port = (httpServer.address() as AddressInfo).port;

    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).text()).toBe('app page');
    expect((await getJson(`http://127.0.0.1:${port}/collab/healthz`)).body).toEqual({ status: 'ok' });
    expect((await getJson(`http://127.0.0.1:${port}/collab/readyz`)).body.ready).toBe(true);

    const appMessage = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/app-ws`);
      ws.on('message', (data) => {
        resolve(data.toString());
        ws.close();
      });
    });
    expect(appMessage).toBe('app');

    const client = connectClient(`ws://127.0.0.1:${port}/collab`, fx.checklistId, await tokenFor(fx.users.owner));
    await client.synced();
    client.destroy();
    await collab.close();
    httpServer.closeAllConnections();
    await new Promise((resolve) => httpServer.close(resolve));
  });
});
