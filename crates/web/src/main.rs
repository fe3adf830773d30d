fn main() {
    annlab_web::mount();
}
