package io.mudrock.bench;

public final class Latency {
    private final Bench.Options o;

    public Latency(Bench.Options o) {
        this.o = o;
    }

    public int run() throws Exception {
        System.err.println("not yet " + o.all());
        return 1;
    }
}
