/**
 * The nodes that lie on a cycle of the directed graph given by `edges` (a strongly connected component
 * of two or more nodes, or a node with an edge to itself). Iterative Tarjan, so long chains cannot
 * overflow the stack.
 */
export function stronglyConnected(
  nodes: readonly string[],
  edges: (node: string) => readonly string[],
): Set<string> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cyclic = new Set<string>();
  let next = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { node: string; successors: readonly string[]; i: number }[] = [];
    const visit = (node: string): void => {
      index.set(node, next);
      low.set(node, next);
      next++;
      stack.push(node);
      onStack.add(node);
      work.push({ node, successors: edges(node), i: 0 });
    };
    visit(root);
    while (work.length > 0) {
      const frame = work[work.length - 1] as (typeof work)[number];
      if (frame.i < frame.successors.length) {
        const successor = frame.successors[frame.i++] as string;
        if (!index.has(successor)) {
          visit(successor);
        } else if (onStack.has(successor)) {
          low.set(frame.node, Math.min(low.get(frame.node) as number, index.get(successor) as number));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) {
        low.set(parent.node, Math.min(low.get(parent.node) as number, low.get(frame.node) as number));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop() as string;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        if (component.length > 1 || frame.successors.includes(frame.node)) {
          for (const m of component) cyclic.add(m);
        }
      }
    }
  }
  return cyclic;
}
