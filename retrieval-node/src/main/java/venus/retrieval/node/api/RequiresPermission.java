package venus.retrieval.node.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The permission an admin API method needs. Put it on every method of an API interface next to
 * its {@code @JsonRpcMethod("VRN.Name")}; a method without it needs {@link Permission#ADMIN}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RequiresPermission {
    Permission value();
}
