/* SPDX-License-Identifier: MIT */
/* The cloud-init NoCloud seed: its documents parsed back as YAML, and the ISO image read back with
 * libarchive and checked with isoinfo. */
#include "provision/keys.h"
#include "provision/seed.h"
#include "util/fs.h"
#include "util/strbuf.h"

#include <archive.h>
#include <archive_entry.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml.h>

#include <cmocka.h>

static char dir[] = "/tmp/rove-seed-test.XXXXXX";

static int make_dir(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    return fs_remove_tree(dir);
}

#define HOST_PRIVATE                                                                               \
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nline2\n"                       \
    "-----END OPENSSH PRIVATE KEY-----\n"

static const struct seed_config sample = {
    .instance_id = "rove-web-0123",
    .hostname = "web",
    .user = "vagrant",
    .authorized_key = "ssh-ed25519 AAAAC3client rove@web",
    .host_private_key = HOST_PRIVATE,
    .host_public_key = "ssh-ed25519 AAAAC3host root@web",
};

/* The scalar at a path of mapping keys and sequence indexes ("users", "0", "name"). */
static const char *yaml_at(yaml_document_t *doc, const char *const *path, size_t n)
{
    yaml_node_t *node = yaml_document_get_root_node(doc);
    for (size_t i = 0; i < n && node; i++) {
        yaml_node_t *next = NULL;
        if (node->type == YAML_MAPPING_NODE) {
            for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
                 p < node->data.mapping.pairs.top; p++) {
                yaml_node_t *k = yaml_document_get_node(doc, p->key);
                if (strcmp((char *)k->data.scalar.value, path[i]) == 0)
                    next = yaml_document_get_node(doc, p->value);
            }
        } else if (node->type == YAML_SEQUENCE_NODE) {
            long idx = strtol(path[i], NULL, 10);
            yaml_node_item_t *items = node->data.sequence.items.start;
            if (idx < node->data.sequence.items.top - items)
                next = yaml_document_get_node(doc, items[idx]);
        }
        node = next;
    }
    if (!node)
        return NULL;
    if (node->type == YAML_SEQUENCE_NODE)
        return node->data.sequence.items.top == node->data.sequence.items.start ? "[]" : "[...]";
    return node->type == YAML_SCALAR_NODE ? (const char *)node->data.scalar.value : NULL;
}

static void parse_yaml(const char *text, yaml_document_t *doc)
{
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
    if (!yaml_parser_load(&parser, doc))
        fail_msg("invalid YAML (%s) in:\n%s", parser.problem, text);
    yaml_parser_delete(&parser);
}

#define AT(doc, ...)                                                                               \
    yaml_at(doc, (const char *const[]){__VA_ARGS__},                                               \
            sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static void test_user_data_content(void **state)
{
    (void)state;
    char *text = seed_user_data(&sample);
    assert_int_equal(strncmp(text, "#cloud-config\n", 14), 0);
    yaml_document_t doc;
    parse_yaml(text, &doc);
    assert_string_equal(AT(&doc, "hostname"), "web");
    assert_string_equal(AT(&doc, "locale"), "C.UTF-8");
    assert_string_equal(AT(&doc, "disable_root"), "true");
    assert_string_equal(AT(&doc, "ssh_deletekeys"), "true");
    assert_string_equal(AT(&doc, "ssh_genkeytypes"), "[]");
    assert_string_equal(AT(&doc, "ssh_keys", "ed25519_private"), HOST_PRIVATE);
    assert_string_equal(AT(&doc, "ssh_keys", "ed25519_public"), sample.host_public_key);
    assert_string_equal(AT(&doc, "users", "0", "name"), "vagrant");
    assert_string_equal(AT(&doc, "users", "0", "sudo"), "ALL=(ALL) NOPASSWD:ALL");
    assert_string_equal(AT(&doc, "users", "0", "ssh_authorized_keys", "0"), sample.authorized_key);
    yaml_document_delete(&doc);
    free(text);
}

static void test_meta_data_and_quoting(void **state)
{
    (void)state;
    struct seed_config odd = sample;
    odd.instance_id = "id: with \"quotes\" and # hash";
    char *text = seed_meta_data(&odd);
    yaml_document_t doc;
    parse_yaml(text, &doc);
    assert_string_equal(AT(&doc, "instance-id"), odd.instance_id);
    assert_string_equal(AT(&doc, "local-hostname"), "web");
    yaml_document_delete(&doc);
    free(text);
}

/* Every file in the ISO, read back through libarchive's ISO9660 reader. */
static void read_iso(const char *path, struct strbuf *names, struct strbuf *user_data)
{
    struct archive *a = archive_read_new();
    archive_read_support_format_iso9660(a);
    assert_int_equal(archive_read_open_filename(a, path, 16384), ARCHIVE_OK);
    struct archive_entry *e;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e);
        if (strcmp(name, ".") == 0) /* the root folder */
            continue;
        sb_addf(names, "%s\n", name);
        if (strcmp(name, "user-data") == 0) {
            char buf[4096];
            la_ssize_t n;
            while ((n = archive_read_data(a, buf, sizeof(buf))) > 0)
                sb_addn(user_data, buf, (size_t)n);
        }
    }
    archive_read_free(a);
}

static void test_iso_for_machine(void **state)
{
    (void)state;
    char *state_dir = fs_join(dir, "web");
    char *err = NULL;
    assert_int_equal(keys_ensure_machine(state_dir, "web", &err), 0);
    if (seed_create_for_machine(state_dir, "web", "web-1.example", &err) < 0)
        fail_msg("%s", err);
    char *iso = fs_join(state_dir, SEED_ISO_NAME);
    struct stat st;
    assert_int_equal(stat(iso, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600); /* it carries the host's private key */

    struct strbuf names = STRBUF_INIT, user_data = STRBUF_INIT;
    read_iso(iso, &names, &user_data);
    assert_string_equal(sb_str(&names), "meta-data\nuser-data\n");
    assert_non_null(strstr(sb_str(&user_data), "hostname: \"web-1.example\"\n"));
    char *host_priv_path = fs_join(state_dir, KEYS_HOST_PRIVATE);
    char *host_priv = NULL;
    size_t len = 0;
    assert_int_equal(fs_read_file(host_priv_path, &host_priv, &len), 0);
    yaml_document_t doc;
    parse_yaml(sb_str(&user_data), &doc);
    assert_string_equal(AT(&doc, "ssh_keys", "ed25519_private"), host_priv);
    yaml_document_delete(&doc);

    /* isoinfo agrees: volume id cidata (the primary descriptor allows upper case only, so it
     * reads CIDATA; cloud-init accepts either), Rock Ridge and Joliet. */
    if (system("command -v isoinfo > /dev/null") != 0) {
        printf("SKIP part: isoinfo is missing (apt-get install genisoimage)\n");
    } else {
        char *cmd = xasprintf("isoinfo -d -i %s | grep -qi '^Volume id: cidata$' && "
                              "isoinfo -d -i %s | grep -q 'Rock Ridge signatures version' && "
                              "isoinfo -d -i %s | grep -q 'Joliet with UCS level' && "
                              "isoinfo -R -f -i %s | sort | tr '\\n' ' ' | "
                              "grep -qx '/meta-data /user-data '",
                              iso, iso, iso, iso);
        int rc = system(cmd);
        assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
        free(cmd);
    }
    assert_int_equal(seed_create_for_machine(state_dir, "web", "bad host;name", &err), -1);
    assert_non_null(strstr(err, "machine web"));
    free(host_priv);
    free(host_priv_path);
    sb_release(&names);
    sb_release(&user_data);
    free(iso);
    free(state_dir);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user_data_content),
        cmocka_unit_test(test_meta_data_and_quoting),
        cmocka_unit_test(test_iso_for_machine),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
