export {
  type FakeFault,
  type FakeProvider,
  type FakeProviderOptions,
  type FakeRequest,
  type FakeScript,
  startFakeProvider,
} from './fake-provider.js';
export { type FakeProtocol, type FakeToolCall, fakeAnswer } from './fake-responses.js';
export { ManualClock } from './manual-clock.js';
