package venus.retrieval.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.googlecode.jsonrpc4j.ErrorResolver;
import com.googlecode.jsonrpc4j.JsonResponse;
import com.googlecode.jsonrpc4j.JsonRpcBasicServer;
import com.googlecode.jsonrpc4j.JsonRpcMethod;
import com.googlecode.jsonrpc4j.ProxyUtil;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import venus.retrieval.node.NodeException;

/**
 * JSON-RPC 2.0 dispatch for the admin API (jsonrpc4j underneath). API interfaces are registered
 * with their implementation; each method carries {@code @JsonRpcMethod("VRN.Name")} and
 * {@link RequiresPermission}. {@link #requiredPermission} is checked by the HTTP endpoint before
 * anything is dispatched.
 */
public final class RpcDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(RpcDispatcher.class);

    /** JSON-RPC error code for a call the token may not make. */
    public static final int PERMISSION_DENIED = -32001;
    /** JSON-RPC error code for a {@link NodeException} raised by a method. */
    public static final int NODE_ERROR = -32000;

    private static final ThreadLocal<Permission> CALLER = new ThreadLocal<>();
    private static final ObjectMapper ERROR_DATA = new ObjectMapper();

    private final ObjectMapper mapper;
    private final List<Class<?>> interfaces = new ArrayList<>();
    private final List<Object> services = new ArrayList<>();
    private final Map<String, Permission> permissions = new HashMap<>();
    private volatile Server server;

    public RpcDispatcher(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** Registers an API interface and its implementation. Call before the API starts. */
    public synchronized <T> RpcDispatcher register(Class<T> api, T impl) {
        if (!api.isInterface()) {
            throw new IllegalArgumentException(api + " is not an interface");
        }
        for (Method m : api.getMethods()) {
            JsonRpcMethod name = m.getAnnotation(JsonRpcMethod.class);
            if (name == null) {
                throw new IllegalArgumentException(api.getSimpleName() + "." + m.getName() + " has no @JsonRpcMethod name");
            }
            RequiresPermission p = m.getAnnotation(RequiresPermission.class);
            if (permissions.putIfAbsent(name.value(), p == null ? Permission.ADMIN : p.value()) != null) {
                throw new IllegalArgumentException("API method " + name.value() + " registered twice");
            }
        }
        interfaces.add(api);
        services.add(impl);
        server = null;
        return this;
    }

    /** The permission a method needs, or empty for a method nobody registered. */
    public Optional<Permission> requiredPermission(String method) {
        return Optional.ofNullable(permissions.get(method));
    }

    /** Every registered method name with its permission. */
    public Map<String, Permission> methods() {
        return Map.copyOf(permissions);
    }

    /** The permission of the token of the call being handled on this thread (for {@code VRN.AuthVerify}). */
    public static Permission caller() {
        Permission p = CALLER.get();
        return p == null ? Permission.READ : p;
    }

    /**
     * Handles one JSON-RPC request (object or batch) already authorised for {@code caller}.
     *
     * @return the response, or null for notifications only
     */
    public JsonNode handle(JsonNode request, Permission caller) throws java.io.IOException {
        CALLER.set(caller);
        try {
            JsonResponse r = server().dispatch(request);
            return r.getResponse();
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            // jsonrpc4j throws (rather than answers) when parameters do not convert to the method's types.
            String msg = e.getOriginalMessage() == null ? "bad parameters" : e.getOriginalMessage().lines().findFirst().orElse("");
            return error(request, ErrorResolver.JsonError.METHOD_PARAMS_INVALID.code, "invalid params: " + msg);
        } finally {
            CALLER.remove();
        }
    }

    private JsonNode error(JsonNode request, int code, String message) {
        ObjectNode r = mapper.createObjectNode().put("jsonrpc", "2.0");
        JsonNode id = request.isObject() ? request.get("id") : null;
        r.set("id", id == null ? mapper.nullNode() : id);
        r.putObject("error").put("code", code).put("message", message);
        return r;
    }

    private Server server() {
        Server s = server;
        if (s == null) {
            synchronized (this) {
                if (server == null) {
                    Object proxy = ProxyUtil.createCompositeServiceProxy(getClass().getClassLoader(),
                            services.toArray(), interfaces.toArray(new Class<?>[0]), false);
                    Server created = new Server(mapper, proxy);
                    created.setShouldLogInvocationErrors(false);
                    created.setErrorResolver(RpcDispatcher::resolveError);
                    server = created;
                }
                s = server;
            }
        }
        return s;
    }

    /** One line per failure, never the parameters (they may carry secrets or vouchers). */
    private static ErrorResolver.JsonError resolveError(Throwable t, Method method, List<JsonNode> args) {
        Throwable cause = t;
        // Unwrap reflection/proxy wrappers down to what the method threw.
        while ((cause instanceof java.lang.reflect.UndeclaredThrowableException
                || cause instanceof java.lang.reflect.InvocationTargetException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String name = method == null ? "?" : Optional.ofNullable(method.getAnnotation(JsonRpcMethod.class))
                .map(JsonRpcMethod::value).orElse(method.getName());
        if (cause instanceof NodeException ne) {
            ObjectNode data = ERROR_DATA.createObjectNode().put("reason", ne.reason().name());
            return new ErrorResolver.JsonError(NODE_ERROR, ne.getMessage(), data);
        }
        if (cause instanceof IllegalArgumentException) {
            return new ErrorResolver.JsonError(ErrorResolver.JsonError.METHOD_PARAMS_INVALID.code, cause.getMessage(), null);
        }
        if (cause != null && cause.getClass().getName().startsWith("venus.retrieval.")) {
            return new ErrorResolver.JsonError(NODE_ERROR, cause.getMessage(), null);
        }
        LOG.warn("API method {} failed: {}", name, cause == null ? "unknown error" : cause.getClass().getSimpleName());
        return new ErrorResolver.JsonError(ErrorResolver.JsonError.INTERNAL_ERROR.code, "internal error in " + name, null);
    }

    /** Exposes jsonrpc4j's node-level entry point. */
    private static final class Server extends JsonRpcBasicServer {
        Server(ObjectMapper mapper, Object handler) {
            super(mapper, handler);
        }

        JsonResponse dispatch(JsonNode request) throws java.io.IOException {
            return handleJsonNodeRequest(request);
        }
    }
}
