// SPDX-License-Identifier: Apache-2.0
/*
 * vmhelper: what the guest checks need that busybox cannot do.
 *
 *   vmhelper hold DEV LEN READYFILE
 *       Maps LEN bytes of a devdax device (MAP_SHARED, offset 0), writes a pattern at every
 *       4 KiB, creates READYFILE and waits for SIGUSR1 (or SIGTERM). Then reads the pattern
 *       back and prints one verdict line:
 *         "hold: mapping intact"   (exit 0)  the mapping survived whatever happened meanwhile
 *         "hold: mapping revoked"  (exit 3)  reading it raised SIGBUS (the kernel tore it down)
 *         "hold: mapping changed"  (exit 4)  it reads back, but not what was written
 *       Used to reconfigure a device while a process holds it mapped (check 5).
 *
 *   vmhelper holdthread DEV LEN READYFILE
 *       As hold, from a second thread: the first thread exits (pthread_exit) once it has
 *       started it, so /proc/PID/maps and /proc/PID/fd show nothing while the mapping and the
 *       descriptor live on in the other thread (/proc/PID/task/TID). The busy guard must
 *       still find them (check 5).
 *
 *   vmhelper open DEV READYFILE
 *       Opens a dax device (O_RDWR) and holds the descriptor, creating READYFILE, until SIGUSR1
 *       (or SIGTERM); then checks the descriptor still works and prints one verdict line:
 *         "open: descriptor intact, mmap ok"      (exit 0)  fstat and a 2 MiB shared mapping work
 *         "open: descriptor intact, mmap: ERROR"  (exit 0)  fstat works, mmap fails (famfs mode:
 *                                                            ENODEV)
 *         "open: descriptor broken: ERROR"        (exit 3)  fstat fails or names another device
 *       Used to switch a device that a process merely has open (the busy-device checks).
 *
 *   vmhelper ms CMD [ARGS...]
 *       Runs CMD with stdout and stderr sent to /dev/null and prints "<milliseconds> <exit>"
 *       (monotonic wall clock, microsecond resolution). busybox's date has no %N and
 *       /proc/uptime only counts hundredths, too coarse for `list` (check 8).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char pattern[] = "famctl-vm-hold-pattern";
static sigjmp_buf on_bus_error;
static volatile sig_atomic_t released;

static void bus_error(int sig) { (void)sig; siglongjmp(on_bus_error, 1); }
static void release(int sig) { (void)sig; released = 1; }

/* Handlers for the release signals, then READYFILE with our pid; waits for the release. */
static int announce_and_wait(const char *ready, const char *who) {
    struct sigaction sa = {0};
    sa.sa_handler = release;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    FILE *f = fopen(ready, "w");
    if (!f) { printf("%s: create %s: %s\n", who, ready, strerror(errno)); return 2; }
    fprintf(f, "%d\n", (int)getpid());
    fclose(f);
    while (!released) pause();
    return 0;
}

static int hold(const char *dev, size_t len, const char *ready) {
    int fd = open(dev, O_RDWR);
    if (fd < 0) { printf("hold: open %s: %s\n", dev, strerror(errno)); return 2; }
    unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) { printf("hold: mmap %s: %s\n", dev, strerror(errno)); return 2; }
    for (size_t i = 0; i < len; i += 4096) memcpy(p + i, pattern, sizeof pattern);

    struct sigaction sa = {0};
    sa.sa_handler = bus_error;
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    int rc = announce_and_wait(ready, "hold");
    if (rc) return rc;

    if (sigsetjmp(on_bus_error, 1)) { printf("hold: mapping revoked\n"); return 3; }
    for (size_t i = 0; i < len; i += 4096) {
        if (memcmp(p + i, pattern, sizeof pattern) != 0) {
            printf("hold: mapping changed at offset %zu\n", i);
            return 4;
        }
    }
    printf("hold: mapping intact\n");
    return 0;
}

struct hold_request {
    const char *dev, *ready;
    size_t len;
};

/* The second thread of holdthread: holds, then ends the whole process with the verdict. */
static void *hold_in_thread(void *argument) {
    const struct hold_request *request = argument;
    exit(hold(request->dev, request->len, request->ready));
}

static int hold_from_thread(const char *dev, size_t len, const char *ready) {
    static struct hold_request request;
    request = (struct hold_request){.dev = dev, .ready = ready, .len = len};
    pthread_t thread;
    if (pthread_create(&thread, NULL, hold_in_thread, &request) != 0) { printf("holdthread: pthread_create failed\n"); return 2; }
    pthread_exit(NULL);
}

static int hold_open(const char *dev, const char *ready) {
    int fd = open(dev, O_RDWR);
    if (fd < 0) { printf("open: open %s: %s\n", dev, strerror(errno)); return 2; }
    struct stat before, after;
    if (fstat(fd, &before) < 0) { printf("open: fstat %s: %s\n", dev, strerror(errno)); return 2; }
    int rc = announce_and_wait(ready, "open");
    if (rc) return rc;
    if (fstat(fd, &after) < 0) { printf("open: descriptor broken: %s\n", strerror(errno)); return 3; }
    if (after.st_rdev != before.st_rdev) { printf("open: descriptor broken: names another device\n"); return 3; }
    size_t len = 2u << 20;
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        printf("open: descriptor intact, mmap: %s\n", strerror(errno));
    } else {
        munmap(p, len);
        printf("open: descriptor intact, mmap ok\n");
    }
    close(fd);
    return 0;
}

static int ms(char **argv) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 2; }
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long us = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    printf("%ld.%03ld %d\n", us / 1000, us % 1000, rc);
    return 0;
}

int main(int argc, char **argv) {
    /* The verdict must reach the file even if the kernel kills the holder right after. */
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc == 5 && strcmp(argv[1], "hold") == 0)
        return hold(argv[2], strtoull(argv[3], NULL, 0), argv[4]);
    if (argc == 5 && strcmp(argv[1], "holdthread") == 0)
        return hold_from_thread(argv[2], strtoull(argv[3], NULL, 0), argv[4]);
    if (argc == 4 && strcmp(argv[1], "open") == 0)
        return hold_open(argv[2], argv[3]);
    if (argc >= 3 && strcmp(argv[1], "ms") == 0)
        return ms(argv + 2);
    fprintf(stderr, "usage: vmhelper hold|holdthread DEV LEN READYFILE | vmhelper open DEV READYFILE | vmhelper ms CMD [ARGS...]\n");
    return 64;
}
