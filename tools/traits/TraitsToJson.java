import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import software.amazon.smithy.model.Model;
import software.amazon.smithy.model.node.Node;
import software.amazon.smithy.model.node.ObjectNode;
import software.amazon.smithy.model.shapes.ModelSerializer;
import software.amazon.smithy.model.shapes.Shape;

/**
 * Writes the trait libraries smithy-diff has on its classpath as Smithy JSON AST, one file per
 * library source file: OUT/<module>--<file>.json (the names of ../shared/reference/smithy-traits).
 * Usage: java -cp CLASSPATH:. TraitsToJson OUT
 */
public final class TraitsToJson {
    public static void main(String[] args) throws Exception {
        Path out = Paths.get(args[0]);
        ClassLoader cl = TraitsToJson.class.getClassLoader();
        Model model = Model.assembler(cl).discoverModels(cl).assemble().unwrap();
        Map<String, TreeSet<String>> byFile = new TreeMap<>();
        for (Shape shape : model.toSet()) {
            if (shape.isMemberShape()) continue;
            String name = label(shape.getSourceLocation().getFilename());
            if (name != null) byFile.computeIfAbsent(name, k -> new TreeSet<>()).add(shape.getId().toString());
        }
        for (Map.Entry<String, TreeSet<String>> e : byFile.entrySet()) {
            TreeSet<String> ids = e.getValue();
            ObjectNode node = ModelSerializer.builder()
                    .includePrelude(true)
                    .metadataFilter(k -> false)
                    .shapeFilter(s -> ids.contains(s.getId().toString()))
                    .build()
                    .serialize(model);
            Files.write(out.resolve(e.getKey() + ".json"),
                    (Node.prettyPrintJson(node) + "\n").getBytes(StandardCharsets.UTF_8));
            System.err.println(e.getKey() + ": " + ids.size() + " shapes");
        }
    }

    /** `jar:file:/…/smithy-aws-traits.jar!/META-INF/smithy/aws.api.smithy` → `smithy-aws-traits--aws.api`. */
    private static String label(String location) {
        int bang = location.indexOf(".jar!/");
        if (bang < 0 || !location.endsWith(".smithy")) return null;
        String jar = location.substring(location.lastIndexOf('/', bang) + 1, bang);
        String file = location.substring(location.lastIndexOf('/') + 1, location.length() - ".smithy".length());
        return jar + "--" + file;
    }
}
