import java.lang.reflect.Field;

/**
 * DynamoDB Local listening on 127.0.0.1 only.
 *
 * <p>Its command line has no option for the address, and its Jetty server listens on every
 * interface: any machine on the network could read and write the tables with any
 * credentials. This builds the server from the same arguments, points its connector at the
 * loopback address, and starts it. Java 11+ runs this file as it is (`java File.java`).
 */
public final class DynamoDBLocalOnLoopback {
    private static final String HOST = "127.0.0.1";

    public static void main(String[] args) throws Exception {
        Class<?> runner = Class.forName("software.amazon.dynamodb.services.local.main.ServerRunner");
        Object proxy =
                runner.getMethod("createServerFromCommandLineArgs", String[].class)
                        .invoke(null, (Object) args);
        Field field = proxy.getClass().getDeclaredField("server");
        field.setAccessible(true);
        Object server = field.get(proxy);
        Object[] connectors = (Object[]) server.getClass().getMethod("getConnectors").invoke(server);
        if (connectors.length == 0) {
            throw new IllegalStateException("DynamoDB Local has no connector to bind to " + HOST);
        }
        for (Object connector : connectors) {
            connector.getClass().getMethod("setHost", String.class).invoke(connector, HOST);
        }
        proxy.getClass().getMethod("start").invoke(proxy);
    }
}
