/* A minimal libuv program of the libuv driver's shapes, without any project code: N no-op
 * uv_queue_work requests queued at once then uv_run (burst), and N round trips where each
 * after-work callback queues the next (sequential). docs/peers.md compares its figures with the
 * driver's. Usage: uv-queue-work-reference [burst_ops [sequential_ops]]; the pool's size is
 * libuv's: UV_THREADPOOL_SIZE, default 4. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void noop_work(uv_work_t* req) { (void)req; }

static long completed;
static void count_after_work(uv_work_t* req, int status) {
  (void)req;
  if (status == 0) ++completed;
}

static long remaining;
static void next_after_work(uv_work_t* req, int status) {
  if (status == 0) ++completed;
  if (--remaining > 0) uv_queue_work(req->loop, req, noop_work, next_after_work);
}

static long parse_count(const char* text, long fallback) {
  if (text == NULL) return fallback;
  char* end = NULL;
  const long n = strtol(text, &end, 10);
  if (*end != '\0' || n < 1) {
    fprintf(stderr, "uv-queue-work-reference: expected a count >= 1, got '%s'\n", text);
    exit(2);
  }
  return n;
}

int main(int argc, char** argv) {
  const long burst_ops = parse_count(argc > 1 ? argv[1] : NULL, 1000000);
  const long sequential_ops = parse_count(argc > 2 ? argv[2] : NULL, 100000);
  uv_work_t* requests = malloc((size_t)burst_ops * sizeof *requests);
  if (requests == NULL) {
    fprintf(stderr, "uv-queue-work-reference: out of memory for %ld requests\n", burst_ops);
    return 3;
  }
  /* Touched now, so their page faults stay out of the timed burst, as the driver's request slots,
   * allocated when its workload opens. Not zero: a compiler may turn malloc + zeroing into calloc. */
  memset(requests, 0xff, (size_t)burst_ops * sizeof *requests);
  uv_loop_t* loop = uv_default_loop();

  /* Warm-up: starts the pool's threads outside the timed spans. */
  remaining = 1000;
  uv_queue_work(loop, &requests[0], noop_work, next_after_work);
  uv_run(loop, UV_RUN_DEFAULT);

  completed = 0;
  long long start = now_ns();
  for (long i = 0; i < burst_ops; ++i) uv_queue_work(loop, &requests[i], noop_work, count_after_work);
  uv_run(loop, UV_RUN_DEFAULT);
  long long elapsed = now_ns() - start;
  if (completed != burst_ops) {
    fprintf(stderr, "uv-queue-work-reference: %ld of %ld burst requests completed\n", completed, burst_ops);
    return 3;
  }
  printf("libuv %s burst: %ld no-op requests in %.3f s: %.0f ops/s, %.1f ns/op\n", uv_version_string(), burst_ops,
         elapsed / 1e9, burst_ops * 1e9 / elapsed, (double)elapsed / burst_ops);

  completed = 0;
  remaining = sequential_ops;
  start = now_ns();
  uv_queue_work(loop, &requests[0], noop_work, next_after_work);
  uv_run(loop, UV_RUN_DEFAULT);
  elapsed = now_ns() - start;
  if (completed != sequential_ops) {
    fprintf(stderr, "uv-queue-work-reference: %ld of %ld round trips completed\n", completed, sequential_ops);
    return 3;
  }
  printf("libuv %s sequential: %ld round trips in %.3f s: %.2f us each\n", uv_version_string(), sequential_ops,
         elapsed / 1e9, elapsed / 1e3 / sequential_ops);

  uv_loop_close(loop);
  free(requests);
  return 0;
}
