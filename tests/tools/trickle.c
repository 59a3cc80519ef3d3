/*
 * trickle - a slow writer: feed a program one record at a time, with a
 * pause before each, and time how long each takes to come out (on the
 * program's stdout, as lines appended to a file, or as a number a
 * command prints that grows).  For the tests that a program in a pipe
 * passes each record on as it comes.  Not installed.
 *
 *	trickle [-H N] [-p MS] [-t MS] [-w FILE | -c CMD] INPUT -- PROG [ARG...]
 *
 * Prints, one line a record, the milliseconds it took ("timeout" when
 * nothing came within -t), then "exit N" with the program's status once
 * its input is closed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
usage(void)
{
	fprintf(stderr, "usage: trickle [-H N] [-p MS] [-t MS] [-w FILE | -c CMD] "
	    "INPUT -- PROG [ARG...]\n");
	exit(2);
}

/* What is watched, and how much of it has been seen. */
struct watch {
	int fd;			/* the program's stdout, or -1 */
	const char *file;	/* -w */
	const char *cmd;	/* -c */
	long long seen;		/* newlines (stdout, file) or the number */
};

/* Newlines in the file now. */
static long long
file_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	long long n = 0;
	int c;

	if (f == NULL)
		return 0;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static long long
cmd_number(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	long long n = 0;

	if (p == NULL)
		return 0;
	if (fscanf(p, "%lld", &n) != 1)
		n = 0;
	pclose(p);
	return n;
}

/* Read the program's stdout as it comes; count its newlines. */
static void
drain(struct watch *w, int ms)
{
	struct pollfd pfd = { .fd = w->fd, .events = POLLIN };
	char buf[65536];

	if (poll(&pfd, 1, ms) <= 0)
		return;
	ssize_t n = read(w->fd, buf, sizeof buf);

	if (n <= 0) {
		close(w->fd);
		w->fd = -1;
		return;
	}
	for (ssize_t i = 0; i < n; i++)
		w->seen += buf[i] == '\n';
}

/* Wait until more than `before` is seen, or timeout ms: the time taken,
   or -1. */
static double
wait_more(struct watch *w, long long before, double t0, double timeout)
{
	for (;;) {
		double t = now_ms();

		if (w->file != NULL)
			w->seen = file_lines(w->file);
		else if (w->cmd != NULL)
			w->seen = cmd_number(w->cmd);
		if (w->seen > before)
			return t - t0;
		if (t - t0 > timeout)
			return -1;
		if (w->fd >= 0)
			drain(w, 1);
		else
			usleep(w->cmd ? 2000 : 500);
	}
}

int
main(int argc, char **argv)
{
	int header = 0, pause_ms = 50, timeout = 1000, c, in[2], out[2], st;
	struct watch w = { .fd = -1 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *input;
	pid_t pid;
	int lineno = 0;
	char *head = NULL;
	size_t headn = 0;

	while ((c = getopt(argc, argv, "H:p:t:w:c:")) != -1)
		switch (c) {
		case 'H': header = atoi(optarg); break;
		case 'p': pause_ms = atoi(optarg); break;
		case 't': timeout = atoi(optarg); break;
		case 'w': w.file = optarg; break;
		case 'c': w.cmd = optarg; break;
		default: usage();
		}
	if (argc - optind < 2)
		usage();
	if ((input = fopen(argv[optind], "r")) == NULL) {
		perror(argv[optind]);
		return 2;
	}
	optind++;
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	if (optind >= argc)
		usage();
	signal(SIGPIPE, SIG_IGN);
	if (pipe(in) < 0 || pipe(out) < 0)
		return perror("pipe"), 2;
	if ((pid = fork()) == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]); close(in[1]); close(out[0]); close(out[1]);
		execvp(argv[optind], argv + optind);
		perror(argv[optind]);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	w.fd = out[0];
	if (w.file != NULL || w.cmd != NULL) {
		/* The program's stdout is read and thrown away. */
		if (fork() == 0) {
			char buf[4096];

			close(in[1]);
			while (read(out[0], buf, sizeof buf) > 0)
				;
			_exit(0);
		}
		close(out[0]);
		w.fd = -1;
		if (w.file != NULL)
			w.seen = file_lines(w.file);
		else
			w.seen = cmd_number(w.cmd);
	}
	while ((len = getline(&line, &cap, input)) > 0) {
		long long before;
		double t0, took;

		if (lineno++ < header) {
			head = realloc(head, headn + (size_t)len);
			memcpy(head + headn, line, (size_t)len);
			headn += (size_t)len;
			continue;
		}
		/* The program has had time to go quiet, waiting for input. */
		usleep((useconds_t)pause_ms * 1000);
		if (w.fd >= 0)
			while (w.fd >= 0) {
				long long s = w.seen;

				drain(&w, 0);
				if (w.seen == s)
					break;
			}
		before = w.seen;
		if (headn > 0) {
			if (write(in[1], head, headn) != (ssize_t)headn)
				break;
			headn = 0;
		}
		t0 = now_ms();
		if (write(in[1], line, (size_t)len) != len)
			break;
		took = wait_more(&w, before, t0, timeout);
		if (took < 0)
			printf("timeout\n");
		else
			printf("%.1f\n", took);
		fflush(stdout);
	}
	close(in[1]);
	while (w.fd >= 0)
		drain(&w, 1000);
	if (waitpid(pid, &st, 0) < 0)
		return perror("waitpid"), 2;
	printf("exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	free(line);
	free(head);
	fclose(input);
	return 0;
}
