package venus.retrieval.blockstore;

import java.nio.file.Path;

/**
 * Where a ready piece holds a block: a byte range of its file, or (for a cached piece) the
 * blockstore.
 *
 * @param pieceId the piece's internal number
 * @param file    the piece file, null for a cached piece without one
 * @param offset  offset of the block's first data byte in the file
 * @param length  the block's length
 * @param cached  the piece's blocks are in the blockstore
 */
public record BlockLocation(long pieceId, Path file, long offset, int length, boolean cached) {}
