// sparks-supervisor: runs inside a task's long-lived sandbox and starts each command the host
// sends, so that the next command of a task costs a fork and an exec instead of a new sandbox.
//
// Protocol on stdin/stdout, integers little-endian:
//   host -> supervisor  'R' u32 argc, argc strings, cwd string, u32 timeout_ms, u32 envc,
//                           envc "KEY=VALUE" strings, stdin string      (string = u32 length + bytes)
//                       'K' kill the running command
//   supervisor -> host  'H' string (hello, once)   'O' string (stdout)   'E' string (stderr)
//                       'X' i32 status (exit code, or -signal) u8 timed_out
// Each command runs in its own process group; when it ends, whatever it left behind in that
// group is killed, as a fresh sandbox would be torn down.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int read_exact(int fd, void *buffer, size_t length) {
    char *cursor = buffer;
    while (length > 0) {
        ssize_t got = read(fd, cursor, length);
        if (got == 0) return -1;
        if (got < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        cursor += got;
        length -= (size_t)got;
    }
    return 0;
}

static int write_exact(int fd, const void *buffer, size_t length) {
    const char *cursor = buffer;
    while (length > 0) {
        ssize_t put = write(fd, cursor, length);
        if (put < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        cursor += put;
        length -= (size_t)put;
    }
    return 0;
}

static int read_u32(uint32_t *value) { return read_exact(0, value, 4); }

static char *read_string(uint32_t *length_out) {
    uint32_t length;
    if (read_u32(&length) < 0 || length > (64u << 20)) return NULL;
    char *text = malloc(length + 1);
    if (!text) return NULL;
    if (length > 0 && read_exact(0, text, length) < 0) {
        free(text);
        return NULL;
    }
    text[length] = 0;
    if (length_out) *length_out = length;
    return text;
}

static void send_frame(char kind, const void *data, uint32_t length) {
    write_exact(1, &kind, 1);
    write_exact(1, &length, 4);
    if (length) write_exact(1, data, length);
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int run_command(void) {
    uint32_t argc;
    if (read_u32(&argc) < 0 || argc == 0 || argc > 65536) return -1;
    char **argv = calloc(argc + 1, sizeof(char *));
    for (uint32_t i = 0; i < argc; i++)
        if (!(argv[i] = read_string(NULL))) return -1;
    char *cwd = read_string(NULL);
    uint32_t timeout_ms, envc;
    if (!cwd || read_u32(&timeout_ms) < 0 || read_u32(&envc) < 0 || envc > 4096) return -1;
    char **envp = calloc(envc + 1, sizeof(char *));
    for (uint32_t i = 0; i < envc; i++)
        if (!(envp[i] = read_string(NULL))) return -1;
    uint32_t input_length;
    char *input = read_string(&input_length);
    if (!input) return -1;

    int out[2], err[2], in[2];
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 || pipe2(in, O_CLOEXEC) < 0) return -1;
    pid_t pid = fork();
    if (pid < 0) {
        const char *message = "sparks-supervisor: cannot fork (process limit reached?)\n";
        send_frame('E', message, (uint32_t)strlen(message));
        int32_t status = 126;
        uint8_t timed_out = 0;
        char kind = 'X';
        write_exact(1, &kind, 1);
        write_exact(1, &status, 4);
        write_exact(1, &timed_out, 1);
        return 0;
    }
    if (pid == 0) {
        setpgid(0, 0);
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        signal(SIGPIPE, SIG_DFL);
        if (chdir(cwd) < 0) {
            dprintf(2, "sparks-supervisor: cannot enter %s: %s\n", cwd, strerror(errno));
            _exit(127);
        }
        execvpe(argv[0], argv, envp);
        dprintf(2, "sparks-supervisor: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid);
    // A pidfd becomes readable when the child exits, so the loop below wakes at once; without
    // one (kernels before 5.3) it polls for the exit every few milliseconds.
#ifdef SYS_pidfd_open
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#else
    int pidfd = -1;
#endif
    close(out[1]);
    close(err[1]);
    close(in[0]);
    // Feed stdin without blocking: a command that never reads it must not stall us.
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    uint32_t fed = 0;
    if (input_length == 0) {
        close(in[1]);
        in[1] = -1;
    }

    long long deadline = now_ms() + timeout_ms;
    int timed_out = 0, out_open = 1, err_open = 1, exited = 0, status = 0;
    long long exited_at = 0;
    char buffer[65536];
    while (out_open || err_open || !exited) {
        // A process that escaped the group (setsid) may hold the pipes; stop waiting for it.
        if (exited && now_ms() - exited_at > 2000) {
            if (out_open) close(out[0]);
            if (err_open) close(err[0]);
            break;
        }
        struct pollfd fds[5];
        int count = 0;
        int out_index = -1, err_index = -1, ctl_index = -1, in_index = -1;
        if (pidfd >= 0 && !exited) { fds[count] = (struct pollfd){pidfd, POLLIN, 0}; count++; }
        if (out_open) { fds[count] = (struct pollfd){out[0], POLLIN, 0}; out_index = count++; }
        if (err_open) { fds[count] = (struct pollfd){err[0], POLLIN, 0}; err_index = count++; }
        fds[count] = (struct pollfd){0, POLLIN, 0};
        ctl_index = count++;
        if (in[1] >= 0) { fds[count] = (struct pollfd){in[1], POLLOUT, 0}; in_index = count++; }
        long long remaining = deadline - now_ms();
        if (remaining <= 0 && !timed_out) {
            timed_out = 1;
            kill(-pid, SIGKILL);
        }
        int cap = pidfd >= 0 ? 200 : 5;
        int wait_ms = exited ? 50 : (remaining > cap ? cap : (remaining > 0 ? (int)remaining : 50));
        int ready = poll(fds, (nfds_t)count, wait_ms);
        if (ready < 0 && errno != EINTR) break;
        if (out_index >= 0 && fds[out_index].revents) {
            ssize_t got = read(out[0], buffer, sizeof buffer);
            if (got > 0) send_frame('O', buffer, (uint32_t)got); else { out_open = 0; close(out[0]); }
        }
        if (err_index >= 0 && fds[err_index].revents) {
            ssize_t got = read(err[0], buffer, sizeof buffer);
            if (got > 0) send_frame('E', buffer, (uint32_t)got); else { err_open = 0; close(err[0]); }
        }
        if (fds[ctl_index].revents) {
            char kind;
            if (read_exact(0, &kind, 1) < 0) { kill(-pid, SIGKILL); exit(0); }
            if (kind == 'K') kill(-pid, SIGKILL);
        }
        if (in_index >= 0 && fds[in_index].revents) {
            ssize_t put = write(in[1], input + fed, input_length - fed);
            if (put > 0) fed += (uint32_t)put;
            if (put < 0 && errno != EAGAIN) fed = input_length;
            if (fed >= input_length) { close(in[1]); in[1] = -1; }
        }
        if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
            exited = 1;
            exited_at = now_ms();
            // Whatever the command left running in its group goes with it.
            kill(-pid, SIGKILL);
        }
    }
    if (in[1] >= 0) close(in[1]);
    if (pidfd >= 0) close(pidfd);
    int32_t code = WIFEXITED(status) ? WEXITSTATUS(status) : -(int32_t)WTERMSIG(status);
    uint8_t flag = (uint8_t)timed_out;
    char kind = 'X';
    write_exact(1, &kind, 1);
    write_exact(1, &code, 4);
    write_exact(1, &flag, 1);
    for (uint32_t i = 0; i < argc; i++) free(argv[i]);
    for (uint32_t i = 0; i < envc; i++) free(envp[i]);
    free(argv);
    free(envp);
    free(cwd);
    free(input);
    return 0;
}

// Copies bytes both ways between two sockets until either side closes.
static void pump(int a, int b) {
    char buffer[65536];
    struct pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
    for (;;) {
        if (poll(fds, 2, 120000) <= 0) return;
        for (int i = 0; i < 2; i++) {
            if (!fds[i].revents) continue;
            ssize_t got = read(fds[i].fd, buffer, sizeof buffer);
            if (got <= 0) return;
            if (write_exact(i == 0 ? b : a, buffer, (size_t)got) < 0) return;
        }
    }
}

// Network by allowlist: the sandbox has no route out, only its own loopback. This listens on
// 127.0.0.1:port inside it and carries each connection to the host's allowlist proxy through
// the Unix socket bound in at `path`. Commands reach it through HTTP(S)_PROXY.
static int start_bridge(int port, const char *path) {
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) < 0 || listen(listener, 64) < 0) return -1;
    pid_t bridge = fork();
    if (bridge < 0) return -1;
    if (bridge > 0) {
        close(listener);
        return 0;
    }
    signal(SIGCHLD, SIG_IGN);  // connection handlers reap themselves
    for (;;) {
        int client = accept(listener, NULL, NULL);
        if (client < 0) {
            if (errno == EINTR) continue;
            _exit(1);
        }
        if (fork() == 0) {
            close(listener);
            int upstream = socket(AF_UNIX, SOCK_STREAM, 0);
            struct sockaddr_un target = {0};
            target.sun_family = AF_UNIX;
            strncpy(target.sun_path, path, sizeof target.sun_path - 1);
            if (upstream < 0 || connect(upstream, (struct sockaddr *)&target, sizeof target) < 0) _exit(1);
            pump(client, upstream);
            _exit(0);
        }
        close(client);
    }
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    if (argc == 4 && strcmp(argv[1], "--bridge") == 0) {
        if (start_bridge(atoi(argv[2]), argv[3]) < 0) {
            dprintf(2, "sparks-supervisor: cannot start the network bridge: %s\n", strerror(errno));
            return 3;
        }
    }
    const char *hello = "sparks-supervisor 1";
    send_frame('H', hello, (uint32_t)strlen(hello));
    for (;;) {
        char kind;
        if (read_exact(0, &kind, 1) < 0) return 0;
        if (kind == 'R') {
            if (run_command() < 0) return 2;
        } else if (kind != 'K') {
            return 2;
        }
    }
}
