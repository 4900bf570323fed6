/*
 * Open MPI counterpart of io.fmi.bench.DirectBench (collectives), same OSU method:
 * barrier, time the operation, maximum over ranks, median over iterations.
 * Build: mpicc -O2 -o mpi_bench mpi_bench.c
 * Run:   mpirun --allow-run-as-root --oversubscribe --mca btl tcp,self --mca btl_tcp_if_include lo -np 4 ./mpi_bench [quick|full] [pingpong|collectives]
 * At 2 processes it starts with the ping-pong of 8 B, 1 KiB, 64 KiB and 1 MiB between ranks 0 and 1.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

enum { ALLREDUCE, BCAST, REDUCE, SCAN, BARRIER, GATHER, SCATTER, ALLREDUCE_D };

/* Ping-pong between ranks 0 and 1 (as DirectBench's): median and p99 of the round trips on rank 0. */
static void pingpong(int bytes, int iters, char *buf) {
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    double *t = calloc(iters, sizeof(double));
    int warm = iters / 10 < 20 ? 20 : iters / 10;
    MPI_Barrier(MPI_COMM_WORLD);
    for (int i = -warm; i < iters; i++) {
        double t0 = MPI_Wtime();
        if (rank == 0) {
            MPI_Send(buf, bytes, MPI_BYTE, 1, 7, MPI_COMM_WORLD);
            MPI_Recv(buf, bytes, MPI_BYTE, 1, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        } else if (rank == 1) {
            MPI_Recv(buf, bytes, MPI_BYTE, 0, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            MPI_Send(buf, bytes, MPI_BYTE, 0, 7, MPI_COMM_WORLD);
        }
        if (i >= 0) t[i] = MPI_Wtime() - t0;
    }
    if (rank == 0) {
        qsort(t, iters, sizeof(double), cmp);
        int p99 = (int)(iters * 0.99 + 0.999) - 1;
        printf("RESULT op=pingpong impl=mpi procs=2 bytes=%d iters=%d median_us=%.2f p99_us=%.2f max_us=%.2f\n",
               bytes, iters, t[iters / 2] * 1e6, t[p99] * 1e6, t[iters - 1] * 1e6);
        fflush(stdout);
    }
    free(t);
}

/* One call of collective `kind`. */
static void op(int kind, int count, void *a, void *b) {
    switch (kind) {
        case ALLREDUCE: MPI_Allreduce(a, b, count, MPI_INT, MPI_SUM, MPI_COMM_WORLD); break;
        case BCAST: MPI_Bcast(a, count, MPI_INT, 0, MPI_COMM_WORLD); break;
        case REDUCE: MPI_Reduce(a, b, count, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD); break;
        case SCAN: MPI_Scan(a, b, count, MPI_INT, MPI_SUM, MPI_COMM_WORLD); break;
        case BARRIER: MPI_Barrier(MPI_COMM_WORLD); break;
        case GATHER: MPI_Gather(a, count, MPI_INT, b, count, MPI_INT, 0, MPI_COMM_WORLD); break;
        case SCATTER: MPI_Scatter(b, count, MPI_INT, a, count, MPI_INT, 0, MPI_COMM_WORLD); break;
        case ALLREDUCE_D: MPI_Allreduce(a, b, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD); break;
    }
}

/* The least time each collective runs untimed before its timed loop (BENCH_WARMUP_MS, default 2000). */
static double warmup_seconds = 2.0;

static void run(int kind, const char *name, int bytes, int iters, int count, void *a, void *b) {
    int rank, n;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &n);
    double *t = calloc(iters, sizeof(double)), *mx = calloc(iters, sizeof(double));
    int warm = iters / 10 < 2 ? 2 : iters / 10;
    /* Warm-up as DirectBench's: at least `warm` calls and at least WARMUP_SECONDS (rank 0 decides). */
    double warm_start = MPI_Wtime();
    int more = 1;
    for (int w = 0; more; w++) {
        op(kind, count, a, b);
        more = (w + 1 < warm || MPI_Wtime() - warm_start < warmup_seconds) ? 1 : 0;
        MPI_Bcast(&more, 1, MPI_INT, 0, MPI_COMM_WORLD);
    }
    for (int i = 0; i < iters; i++) {
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = MPI_Wtime();
        op(kind, count, a, b);
        t[i] = MPI_Wtime() - t0;
    }
    MPI_Allreduce(t, mx, iters, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    if (rank == 0) {
        qsort(mx, iters, sizeof(double), cmp);
        int p99 = (int)(iters * 0.99 + 0.999) - 1;
        printf("RESULT op=%s impl=mpi procs=%d bytes=%d iters=%d median_us=%.2f p99_us=%.2f max_us=%.2f\n",
               name, n, bytes, iters, mx[iters / 2] * 1e6, mx[p99] * 1e6, mx[iters - 1] * 1e6);
        fflush(stdout);
    }
    free(t);
    free(mx);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int n, rank;
    MPI_Comm_size(MPI_COMM_WORLD, &n);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    int quick = argc > 1 && strcmp(argv[1], "quick") == 0;  /* "full" (or nothing): all iterations */
    if (getenv("BENCH_WARMUP_MS") != NULL) {
        warmup_seconds = atof(getenv("BENCH_WARMUP_MS")) / 1000.0;
    }
    int small = quick ? 200 : 1000;
    int one = rank + 1, oneOut = 0;
    int *g = calloc(5000, sizeof(int)), *gAll = calloc(5000 * (size_t)n, sizeof(int));
    size_t d1 = 128 * 1024, d16 = 2 * 1024 * 1024;
    double *m1 = calloc(d1, sizeof(double)), *m1o = calloc(d1, sizeof(double));
    double *m16 = calloc(d16, sizeof(double)), *m16o = calloc(d16, sizeof(double));
    if (n == 2 && (argc < 3 || strcmp(argv[2], "collectives") != 0)) {
        int sizes[] = {8, 1024, 64 * 1024, 1024 * 1024};
        char *buf = calloc(1024 * 1024, 1);
        for (int k = 0; k < 4; k++) {
            int it = sizes[k] <= 1024 ? 20000 : sizes[k] <= 64 * 1024 ? 5000 : 1000;
            pingpong(sizes[k], quick ? it / 10 : it, buf);
        }
        free(buf);
    }
    if (argc > 2 && strcmp(argv[2], "pingpong") == 0) {
        MPI_Finalize();
        return 0;
    }
    run(ALLREDUCE, "allreduce", 4, small, 1, &one, &oneOut);
    run(BCAST, "bcast", 4, small, 1, &oneOut, NULL);
    run(REDUCE, "reduce", 4, small, 1, &one, &oneOut);
    run(SCAN, "scan", 4, small, 1, &one, &oneOut);
    run(BARRIER, "barrier", 0, small, 0, NULL, NULL);
    run(GATHER, "gather", 20000, small / 2, 5000, g, gAll);
    run(SCATTER, "scatter", 20000, small / 2, 5000, g, gAll);
    run(ALLREDUCE_D, "allreduce", 1 << 20, quick ? 10 : 50, (int)d1, m1, m1o);
    run(ALLREDUCE_D, "allreduce", 16 << 20, quick ? 4 : 12, (int)d16, m16, m16o);
    MPI_Finalize();
    return 0;
}
