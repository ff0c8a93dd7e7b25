/**
 * Group commit: requests that arrive while a commit is in flight wait, and the next commit takes
 * all of them (up to `maxItems` items) in one transaction. The first request after an idle spell
 * waits only for the current microtask to end, so requests made in the same tick share its commit.
 * Requests commit in arrival order.
 */
export class GroupCommit<Item, Result> {
  readonly #commit: (groups: readonly (readonly Item[])[]) => Promise<Result[][]>;
  readonly #maxItems: number;
  #queue: Pending<Item, Result>[] = [];
  #draining = false;

  /**
   * `commit` receives each request's items in arrival order and returns each request's results in
   * the same order. It must write all of them in one transaction or none of them.
   */
  constructor({ commit, maxItems }: { commit: (groups: readonly (readonly Item[])[]) => Promise<Result[][]>; maxItems: number }) {
    this.#commit = commit;
    this.#maxItems = maxItems;
  }

  /**
   * Resolves with this request's results once the transaction holding them has committed. When
   * that transaction fails, every request in it rejects with the same error and none is retried,
   * as if each had run alone and hit the failure.
   */
  submit(items: readonly Item[]): Promise<Result[]> {
    return new Promise<Result[]>((resolve, reject) => {
      this.#queue.push({ items, resolve, reject });
      if (!this.#draining) {
        this.#draining = true;
        queueMicrotask(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const group = this.#takeGroup();
      try {
        const results = await this.#commit(group.map((pending) => pending.items));
        group.forEach((pending, index) => pending.resolve(results[index]!));
      } catch (error) {
        for (const pending of group) pending.reject(error);
      }
    }
    this.#draining = false;
  }

  /** Takes requests from the front while their items fit in `maxItems`; always at least one. */
  #takeGroup(): Pending<Item, Result>[] {
    let itemCount = 0;
    let requestCount = 0;
    while (requestCount < this.#queue.length) {
      const size = this.#queue[requestCount]!.items.length;
      if (requestCount > 0 && itemCount + size > this.#maxItems) break;
      itemCount += size;
      requestCount += 1;
    }
    return this.#queue.splice(0, requestCount);
  }
}

interface Pending<Item, Result> {
  readonly items: readonly Item[];
  readonly resolve: (results: Result[]) => void;
  readonly reject: (error: unknown) => void;
}
