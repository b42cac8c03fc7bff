/** Who is online, from retained presence messages ("offline" arrives as the MQTT Last Will). */
import type { PresenceMessage } from '../protocol/index';

export class PresenceTracker {
  private readonly status = new Map<string, 'online' | 'offline'>();

  update(message: PresenceMessage): void {
    this.status.set(message.dev, message.status);
  }

  isOnline(dev: string): boolean {
    return this.status.get(dev) === 'online';
  }

  online(): string[] {
    return [...this.status].filter(([, s]) => s === 'online').map(([d]) => d).sort();
  }

  known(): string[] {
    return [...this.status.keys()].sort();
  }
}
