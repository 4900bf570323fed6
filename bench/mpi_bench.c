/*
 * Open MPI counterpart of io.fmi.bench.DirectBench (collectives), same OSU method:
 * barrier, time the operation, maximum over ranks, median over iterations.
 * Build: mpicc -O2 -o mpi_bench mpi_bench.c
 * Run:   mpirun --allow-run-as-root --oversubscribe --mca btl tcp,self --mca btl_tcp_if_include lo -np 4 ./mpi_bench [quick]
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

static void run(int kind, const char *name, int bytes, int iters, int count, void *a, void *b) {
    int rank, n;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &n);
    double *t = calloc(iters, sizeof(double)), *mx = calloc(iters, sizeof(double));
    int warm = iters / 10 < 2 ? 2 : iters / 10;
    for (int i = -warm; i < iters; i++) {
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = MPI_Wtime();
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
        if (i >= 0) t[i] = MPI_Wtime() - t0;
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
    int quick = argc > 1 && strcmp(argv[1], "quick") == 0;
    int small = quick ? 200 : 1000;
    int one = rank + 1, oneOut = 0;
    int *g = calloc(5000, sizeof(int)), *gAll = calloc(5000 * (size_t)n, sizeof(int));
    size_t d1 = 128 * 1024, d16 = 2 * 1024 * 1024;
    double *m1 = calloc(d1, sizeof(double)), *m1o = calloc(d1, sizeof(double));
    double *m16 = calloc(d16, sizeof(double)), *m16o = calloc(d16, sizeof(double));
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
