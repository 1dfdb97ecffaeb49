package venus.retrieval.ipld.model;

/** The kinds of the IPLD data model. */
public enum Kind {
    NULL, BOOL, INT, FLOAT, STRING, BYTES, LIST, MAP, LINK
}
