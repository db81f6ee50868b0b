/**
 * `@switchboard/llm/node`: what only runs on Node (kept out of the main entry, which also runs in
 * browsers through the SDK).
 */
export { createNodeUpstream, type NodeUpstream, type NodeUpstreamOptions } from './node-upstream.js';
