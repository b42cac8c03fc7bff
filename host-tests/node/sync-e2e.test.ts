/**
 * End to end over real brokers (Mosquitto and aedes): a hub replica and two devices built from lib/
 * (lib/mqtt over host/node/tcp, lib/sync through MqttLink) with device clocks hours apart. A start on
 * one device shows on the other; a device cut off keeps counting, takes a pause offline, and the
 * group converges after it reconnects. A broker killed mid-stream and restarted loses no command
 * and makes the hub apply none twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from '../../lib/timer/index';
import { compareStamps, type Register } from '../../lib/sync/index';
import { VirtualNode } from '../../tools/sim/virtual-node';
import { startAedes, startMosquitto, until, type Broker } from '../support/brokers';
import { MemoryStore } from '../support/memory-store';

const HOUR = 3_600_000;

function makeNode(broker: Broker, role: 'hub' | 'device', kind: string, id: string, skewMs: number): VirtualNode {
  const node = new VirtualNode({ broker, role, kind, id, location: 'e2e', group: 'focus', store: new MemoryStore(), skewMs });
  node.connect();
  return node;
}

for (const start of [startMosquitto, startAedes]) {
  const name = start === startMosquitto ? 'mosquitto' : 'aedes';
  describe(`sync end to end through ${name}`, () => {
    let broker: Broker;
    let hub: VirtualNode;
    let desk: VirtualNode;
    let wall: VirtualNode;

    beforeAll(async () => {
      broker = await start();
      hub = makeNode(broker, 'hub', 'hub', 'hub-1', 1_733_000_000_000);
      desk = makeNode(broker, 'device', 't-embed', 'desk-1', 3 * HOUR);
      wall = makeNode(broker, 'device', 'presto', 'wall', 5 * HOUR);
      await until(() => (desk.clock?.synced ?? false) && (wall.clock?.synced ?? false), 10_000, 'devices agree on hub time').catch((e: unknown) => {
        throw new Error(`${String(e)}: ${JSON.stringify([hub, desk, wall].map((n) => n.replica.rejections.recent()))}`);
      });
    });

    afterAll(async () => {
      for (const node of [desk, wall, hub]) node?.disconnect();
      await broker?.stop();
    });

    it('a start on one device shows on the other, through the hub', async () => {
      const started = desk.replica.command({ type: 'start' });
      expect(started.ok).toBe(true);
      const id = started.ok ? started.value.commandId : '';
      await until(() => wall.replica.current.commandId === id && hub.replica.current.commandId === id, 10_000, 'the start reaches wall and hub').catch((e: unknown) => {
        throw new Error(`${String(e)}: ${JSON.stringify([hub, desk, wall].map((n) => [n.replica.rejections.recent(), n.replica.current.commandId, n.replica.pending(), n.online]))}`);
      });
      await until(() => desk.replica.pending().length === 0, 10_000, 'the hub acknowledges the start');
      expect(wall.replica.current).toEqual(desk.replica.current);
      const [a, b] = [desk.replica.view(), wall.replica.view()];
      expect(b.state).toBe('Working');
      // Both derive remaining time from the same anchor and their agreed hub time (clocks hours apart).
      expect(Math.abs(a.remainingMs - b.remainingMs)).toBeLessThan(50);
      expect(hub.replica.presence.online()).toEqual(['desk-1', 'hub-1', 'wall']);
    });

    it('a device cut off keeps counting, pauses offline, and the group converges after it reconnects', async () => {
      wall.cutOff();
      await until(() => !hub.replica.presence.isOnline('wall') && !desk.replica.presence.isOnline('wall'), 10_000, 'the Last Will reports wall offline');
      const before = wall.replica.view();
      await until(() => wall.replica.view().elapsedMs > before.elapsedMs + 100, 5_000, 'wall keeps counting offline');
      expect(wall.replica.view().state).toBe('Working');

      const paused = wall.replica.command({ type: 'pause' });
      expect(paused.ok).toBe(true);
      const id = paused.ok ? paused.value.commandId : '';
      expect(wall.replica.view().paused).toBe(true);
      expect(wall.replica.pending()).toEqual([id]);
      // Offline: the pause stays local; the others keep running.
      expect(desk.replica.current.state.status).toBe('running');
      expect(hub.replica.current.state.status).toBe('running');

      wall.connect();
      await until(() => wall.replica.pending().length === 0, 10_000, 'the outbox drains and the hub acks');
      await until(() => desk.replica.current.commandId === id && hub.replica.current.commandId === id, 10_000, 'the pause reaches everyone');
      expect(desk.replica.current).toEqual(wall.replica.current);
      expect(hub.replica.current).toEqual(wall.replica.current);
      expect(desk.replica.view().remainingMs).toBe(wall.replica.view().remainingMs);
      expect(desk.replica.view().paused).toBe(true);
      await until(() => hub.replica.presence.isOnline('wall'), 10_000, 'wall is online again');
      for (const node of [hub, desk, wall]) expect(node.replica.rejections.total).toBe(0);
    });

    it('a broker killed mid-stream and restarted loses no command and the hub applies none twice', async () => {
      const issued: Register[] = [];
      const issue = (node: VirtualNode, command: Command) => {
        const result = node.replica.command(command);
        expect(result.ok).toBe(true);
        if (result.ok) issued.push(result.value);
      };
      for (let i = 0; i < 6; i++) issue(i % 2 === 0 ? desk : wall, { type: 'adjust', ms: 60_000 });
      await broker.restart(); // SIGKILL by pid while those commands are in flight, then the same port again
      for (let i = 0; i < 6; i++) issue(i % 2 === 0 ? wall : desk, { type: 'adjust', ms: -30_000 });
      // Last writer wins by stamp (hub time, then counter, then node), not by the order of this loop.
      const winner = issued.reduce((a, b) => (compareStamps(a.stamp, b.stamp) >= 0 ? a : b));
      await until(() => desk.replica.pending().length === 0 && wall.replica.pending().length === 0, 20_000, 'both outboxes drain after the restart');
      await until(() => [hub, desk, wall].every((n) => n.replica.current.commandId === winner.commandId), 20_000, 'everyone holds the winning command');
      for (const { commandId } of issued) expect(hub.applied.get(commandId), commandId).toBe(1);
      expect(desk.replica.current).toEqual(hub.replica.current);
      expect(wall.replica.current).toEqual(hub.replica.current);
      for (const node of [hub, desk, wall]) expect(node.replica.rejections.total).toBe(0);
    });
  });
}
