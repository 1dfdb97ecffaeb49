package venus.retrieval.node.cli;

import java.io.PrintStream;
import venus.retrieval.blockstore.ImportProgress;

/** A one-line progress bar on a terminal: bytes, rate and ETA, redrawn at most 5 times a second. */
final class ProgressBar implements ImportProgress {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final long start = System.nanoTime();
    private long lastDraw;
    private boolean drawn;

    ProgressBar(PrintStream out) {
        this.out = out;
    }

    /** A bar when stderr is a terminal, else nothing. */
    static ImportProgress forTerminal() {
        return System.console() != null ? new ProgressBar(Vrn.err()) : ImportProgress.NONE;
    }

    @Override
    public void progress(long done, long total) {
        long now = System.nanoTime();
        if (now - lastDraw < 200_000_000L && done < total) {
            return;
        }
        lastDraw = now;
        double secs = Math.max(1e-3, (now - start) / 1e9);
        double rate = done / secs;
        double frac = total <= 0 ? 1 : Math.min(1, (double) done / total);
        int fill = (int) (frac * WIDTH);
        long eta = rate <= 0 ? 0 : (long) ((total - done) / rate);
        out.print("\r[" + "#".repeat(fill) + ".".repeat(WIDTH - fill) + "] " + String.format("%3d%% %s / %s  %s/s  ETA %d:%02d ",
                (int) (frac * 100), bytes(done), bytes(total), bytes((long) rate), eta / 60, eta % 60));
        drawn = true;
        if (done >= total) {
            finish();
        }
    }

    void finish() {
        if (drawn) {
            out.println();
            drawn = false;
        }
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, units[u]);
    }
}
