/*
 * A real Kafka wire-protocol broker for the tests: librdkafka's mock cluster (rdkafka_mock.h,
 * from Debian's librdkafka-dev), listening on 127.0.0.1 on ports the kernel picks.
 *
 *   mock-cluster [--brokers N] [topic[:partitions] ...]
 *
 * Prints "BOOTSTRAP host:port[,host:port...]" once the topics exist, then reads commands on
 * stdin, one per line, and answers each with "OK <command>" or "ERR <command>: <reason>":
 *
 *   topic <name> <partitions>   create a topic (kafkajs admin cannot: see below)
 *   down [broker|-1]            disconnect a broker (default: all) and refuse new connections
 *   up [broker|-1]              accept connections again; the data is kept
 *   rtt <broker|-1> <ms>        delay every response of a broker
 *   coordinator <group> <broker>
 *                               make a broker the coordinator of a consumer group (by default the
 *                               mock picks one by hashing the group id)
 *   error <request> <code> [n]  answer the next n (default 1) requests of that type, from any
 *                               client, with an error code: request by name (JoinGroup, SyncGroup,
 *                               Heartbeat, Fetch, OffsetCommit, …) or API key, code by librdkafka's
 *                               name (GROUP_AUTHORIZATION_FAILED, REBALANCE_IN_PROGRESS, …) or number
 *   clear <request>             drop the errors still queued for that request type
 *   quit                        stop (so does end of input: the broker never outlives the test)
 *
 * On SIGSEGV, SIGABRT or SIGBUS it writes its stack to stderr before dying (see on_crash).
 *
 * Topics are created here rather than through kafkajs' admin client because the mock reports a
 * controller id that no broker has, so requests that must go to the controller fail.
 */
#include <errno.h>
#include <execinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static int broker_count = 1;

/* The Kafka protocol's API keys for the requests a consumer group sends. */
static const struct { const char *name; int16_t key; } API_KEYS[] = {
  {"Produce", 0},       {"Fetch", 1},          {"ListOffsets", 2},  {"Metadata", 3},
  {"OffsetCommit", 8},  {"OffsetFetch", 9},    {"FindCoordinator", 10}, {"JoinGroup", 11},
  {"Heartbeat", 12},    {"LeaveGroup", 13},    {"SyncGroup", 14},   {"DescribeGroups", 15},
  {"ApiVersions", 18},  {"InitProducerId", 22},
};

static int api_key(const char *text) {
  for (size_t i = 0; i < sizeof(API_KEYS) / sizeof(API_KEYS[0]); i++)
    if (strcmp(API_KEYS[i].name, text) == 0) return API_KEYS[i].key;
  char *end;
  long key = strtol(text, &end, 10);
  return *text && !*end && key >= 0 && key < 100 ? (int)key : -1;
}

/* An error code by librdkafka's name for it (without RD_KAFKA_RESP_ERR_) or by number; 0 when unknown. */
static rd_kafka_resp_err_t error_code(const char *text) {
  const struct rd_kafka_err_desc *descs;
  size_t count;
  rd_kafka_get_err_descs(&descs, &count);
  for (size_t i = 0; i < count; i++)
    if (descs[i].name && strcmp(descs[i].name, text) == 0) return descs[i].code;
  char *end;
  long code = strtol(text, &end, 10);
  return *text && !*end && code > 0 ? (rd_kafka_resp_err_t)code : RD_KAFKA_RESP_ERR_NO_ERROR;
}

static int create_topic(rd_kafka_mock_cluster_t *mcluster, const char *spec, int partitions) {
  rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mcluster, spec, partitions, 1);
  if (err) {
    fprintf(stderr, "mock-cluster: cannot create topic %s: %s\n", spec, rd_kafka_err2str(err));
    return -1;
  }
  return 0;
}

static int create_topic_spec(rd_kafka_mock_cluster_t *mcluster, const char *spec) {
  char name[256];
  int partitions = 1;
  const char *colon = strchr(spec, ':');
  size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
  if (len == 0 || len >= sizeof(name)) return -1;
  memcpy(name, spec, len);
  name[len] = '\0';
  if (colon) {
    partitions = atoi(colon + 1);
    if (partitions < 1) return -1;
  }
  return create_topic(mcluster, name, partitions);
}

static void answer(const char *command, rd_kafka_resp_err_t err) {
  if (err)
    printf("ERR %s: %s\n", command, rd_kafka_err2str(err));
  else
    printf("OK %s\n", command);
  fflush(stdout);
}

/* Applies fn to one broker id, or to every broker for -1 (this librdkafka may not accept -1 itself). */
static rd_kafka_resp_err_t each_broker(rd_kafka_mock_cluster_t *mcluster, int id,
                                       rd_kafka_resp_err_t (*fn)(rd_kafka_mock_cluster_t *, int32_t)) {
  if (id >= 0) return fn(mcluster, id);
  for (int b = 1; b <= broker_count; b++) {
    rd_kafka_resp_err_t err = fn(mcluster, b);
    if (err) return err;
  }
  return RD_KAFKA_RESP_ERR_NO_ERROR;
}

/*
 * A crash inside librdkafka's mock takes every broker of the cluster with it. The test runner
 * prints our stderr when we die: the stack goes there too, so a crash in CI says where it was.
 * Only async-signal-safe calls (write, backtrace_symbols_fd), then the default action again.
 */
static void on_crash(int sig) {
  static const char head[] = "mock-cluster: crashed; stack:\n";
  void *frames[64];
  ssize_t ignored = write(STDERR_FILENO, head, sizeof(head) - 1);
  (void)ignored;
  backtrace_symbols_fd(frames, backtrace(frames, 64), STDERR_FILENO);
  signal(sig, SIG_DFL);
  raise(sig);
}

int main(int argc, char **argv) {
  /* backtrace() loads libgcc on first use, which is not safe inside a signal handler: once here. */
  void *warm[1];
  backtrace(warm, 1);
  signal(SIGSEGV, on_crash);
  signal(SIGABRT, on_crash);
  signal(SIGBUS, on_crash);

  char errstr[512];
  int first_topic = 1;
  if (argc > 2 && strcmp(argv[1], "--brokers") == 0) {
    broker_count = atoi(argv[2]);
    first_topic = 3;
  }
  if (broker_count < 1) {
    fprintf(stderr, "mock-cluster: --brokers needs a positive number\n");
    return 2;
  }
  /* A dying test runner closes our stdin; a write to a closed stdout must not kill us mid-answer either. */
  signal(SIGPIPE, SIG_IGN);

  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "mock-cluster: %s\n", errstr);
    return 2;
  }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) {
    fprintf(stderr, "mock-cluster: %s\n", errstr);
    return 2;
  }
  rd_kafka_mock_cluster_t *mcluster = rd_kafka_mock_cluster_new(rk, broker_count);
  if (!mcluster) {
    fprintf(stderr, "mock-cluster: cannot create the mock cluster\n");
    return 2;
  }
  for (int i = first_topic; i < argc; i++) {
    if (create_topic_spec(mcluster, argv[i]) != 0) {
      fprintf(stderr, "mock-cluster: bad topic spec %s (want name[:partitions])\n", argv[i]);
      return 2;
    }
  }
  printf("BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
  fflush(stdout);

  char line[1024];
  while (fgets(line, sizeof(line), stdin)) {
    line[strcspn(line, "\r\n")] = '\0';
    char verb[32] = "", arg1[256] = "", arg2[64] = "", arg3[32] = "";
    int n = sscanf(line, "%31s %255s %63s %31s", verb, arg1, arg2, arg3);
    if (n <= 0) continue;
    if (strcmp(verb, "quit") == 0) {
      answer(line, RD_KAFKA_RESP_ERR_NO_ERROR);
      break;
    } else if (strcmp(verb, "topic") == 0 && n >= 2) {
      int partitions = n >= 3 ? atoi(arg2) : 1;
      answer(line, partitions < 1 ? RD_KAFKA_RESP_ERR__INVALID_ARG
                                  : rd_kafka_mock_topic_create(mcluster, arg1, partitions, 1));
    } else if (strcmp(verb, "down") == 0) {
      answer(line, each_broker(mcluster, n >= 2 ? atoi(arg1) : -1, rd_kafka_mock_broker_set_down));
    } else if (strcmp(verb, "up") == 0) {
      answer(line, each_broker(mcluster, n >= 2 ? atoi(arg1) : -1, rd_kafka_mock_broker_set_up));
    } else if (strcmp(verb, "rtt") == 0 && n >= 3) {
      int id = atoi(arg1), ms = atoi(arg2);
      rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
      for (int b = id >= 0 ? id : 1; b <= (id >= 0 ? id : broker_count) && !err; b++)
        err = rd_kafka_mock_broker_set_rtt(mcluster, b, ms);
      answer(line, err);
    } else if (strcmp(verb, "coordinator") == 0 && n >= 3) {
      int id = atoi(arg2);
      answer(line, id < 1 || id > broker_count ? RD_KAFKA_RESP_ERR__INVALID_ARG
                                               : rd_kafka_mock_coordinator_set(mcluster, "group", arg1, id));
    } else if (strcmp(verb, "error") == 0 && n >= 3) {
      int key = api_key(arg1);
      rd_kafka_resp_err_t code = error_code(arg2);
      int count = n >= 4 ? atoi(arg3) : 1;
      if (key < 0 || code == RD_KAFKA_RESP_ERR_NO_ERROR || count < 1 || count > 1000) {
        answer(line, RD_KAFKA_RESP_ERR__INVALID_ARG);
        continue;
      }
      rd_kafka_resp_err_t codes[1000];
      for (int i = 0; i < count; i++) codes[i] = code;
      rd_kafka_mock_push_request_errors_array(mcluster, (int16_t)key, (size_t)count, codes);
      answer(line, RD_KAFKA_RESP_ERR_NO_ERROR);
    } else if (strcmp(verb, "clear") == 0 && n >= 2) {
      int key = api_key(arg1);
      if (key >= 0) rd_kafka_mock_clear_request_errors(mcluster, (int16_t)key);
      answer(line, key < 0 ? RD_KAFKA_RESP_ERR__INVALID_ARG : RD_KAFKA_RESP_ERR_NO_ERROR);
    } else {
      answer(line, RD_KAFKA_RESP_ERR__INVALID_ARG);
    }
  }

  rd_kafka_mock_cluster_destroy(mcluster);
  rd_kafka_destroy(rk);
  return 0;
}
