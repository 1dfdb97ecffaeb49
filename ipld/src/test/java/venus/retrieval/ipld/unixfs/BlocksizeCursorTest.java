package venus.retrieval.ipld.unixfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import venus.retrieval.ipld.unixfs.BlocksizeCursor.Verdict;

class BlocksizeCursorTest {
    private static List<Verdict> all(long[] sizes, long first, long from, long to) {
        BlocksizeCursor c = new BlocksizeCursor(sizes, first);
        List<Verdict> out = new ArrayList<>();
        while (c.hasNext()) {
            out.add(c.advance(from, to));
        }
        return out;
    }

    @Test
    void rangeAtChunkEdgesSkipsDescendsAndStops() {
        long[] sizes = {10, 10, 10, 10};
        // [10, 30) is exactly children 1 and 2: child 0 ends at 10, child 3 starts at 30
        assertEquals(List.of(Verdict.SKIP, Verdict.DESCEND, Verdict.DESCEND, Verdict.STOP), all(sizes, 0, 10, 30));
        // one byte either side pulls in the neighbours
        assertEquals(List.of(Verdict.DESCEND, Verdict.DESCEND, Verdict.DESCEND, Verdict.DESCEND), all(sizes, 0, 9, 31));
    }

    @Test
    void reportsEachChildsIndexStartAndSize() {
        BlocksizeCursor c = new BlocksizeCursor(new long[] {3, 0, 5}, 7);   // 7 bytes of inline data first
        assertEquals(Verdict.DESCEND, c.advance(0, Long.MAX_VALUE));
        assertEquals(0, c.index());
        assertEquals(7, c.start());
        assertEquals(3, c.size());
        assertEquals(Verdict.SKIP, c.advance(10, Long.MAX_VALUE));   // empty child at the range start
        assertEquals(1, c.index());
        assertEquals(10, c.start());
        assertEquals(Verdict.DESCEND, c.advance(10, Long.MAX_VALUE));
        assertEquals(2, c.index());
        assertEquals(10, c.start());
        assertEquals(5, c.size());
        assertFalse(c.hasNext());
        assertThrows(NoSuchElementException.class, () -> c.advance(0, 1));
    }

    @Test
    void noChildrenMeansNothingToStep() {
        assertFalse(new BlocksizeCursor(new long[0], 0).hasNext());
        assertEquals(List.of(), all(new long[0], 0, 0, 1));
    }
}
