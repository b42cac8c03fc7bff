/**
 * Board-free smoke app: the shared core, built by mcconfig and run by Moddable's runtime, exercises
 * the timer, the MQTT codec, the hybrid logical clock and the topic builder, and traces what it saw.
 * The last line is `core-check ok` only when every result matched.
 */
import { apply, decodeState, emptyView, encodeState, initialState, viewInto, MINUTE } from "timer/index";
import { encode, PacketParser } from "mqtt/index";
import { HybridClock } from "sync/index";
import { topicOf } from "protocol/index";

const failures: string[] = [];
function expect(what: string, actual: unknown, expected: unknown): void {
	trace(`${what}: ${String(actual)}\n`);
	if (actual !== expected) failures.push(`${what}: expected ${String(expected)}`);
}

const started = apply(initialState(), { type: "start" }, 1_000);
if (started.ok) {
	const view = emptyView();
	for (let i = 0; i < 1_000; i++) viewInto(started.value, 1_000 + i * 16, view);
	viewInto(started.value, 1_000 + 26 * MINUTE, view);
	expect("phase after 26 minutes", view.state, "ShortBreak");
	expect("remaining ms", view.remainingMs, 4 * MINUTE);
	expect("state survives the wire", decodeState(encodeState(started.value)).ok, true);
} else failures.push(started.detail);

const bytes = encode({ type: "publish", topic: "argus/home/t-embed/desk-1/state", payload: new Uint8Array([1, 2, 3]), qos: 1, retain: true, dup: false, packetId: 7 });
let parsed = "";
const error = new PacketParser({ maxPacketSize: 1024 }).push(bytes, (packet) => {
	if (packet.type === "publish") parsed = `${packet.topic} ${packet.payload.length}`;
});
expect("PUBLISH parsed back", parsed, "argus/home/t-embed/desk-1/state 3");
expect("parser error", error?.reason, undefined);

const stamp = new HybridClock("desk-1", () => 5_000).send();
expect("HLC stamp", `${stamp.wall}.${stamp.counter}@${stamp.node}`, "5000.0@desk-1");

const topic = topicOf({ location: "home", kind: "t-embed", id: "desk-1", channel: "presence" });
expect("presence topic", topic.ok ? topic.value : topic.reason, "argus/home/t-embed/desk-1/presence");

trace(failures.length === 0 ? "core-check ok\n" : `core-check FAILED: ${failures.join("; ")}\n`);
